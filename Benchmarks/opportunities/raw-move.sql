-- What one AdvanceStage reads and writes, done by pgbench directly (prepared statements): the
-- deal locked, its pipeline, its activities and last feedback read, the deal updated, the change
-- and its event inserted, in one transaction. Compared with AdvanceStage in the same run by
-- scripts/bench-opportunities.sh.
\set k random(1, :deals)
BEGIN;
SELECT o.* FROM bench.opportunities o WHERE o.id = (SELECT id FROM bench.deal_ids WHERE n = :k) AND o.tenant_id = 'bench' FOR UPDATE;
SELECT definition, version, saved_by, saved_at FROM opportunities.pipelines WHERE tenant_id = 'bench' AND name = 'bench' ORDER BY version DESC LIMIT 1;
SELECT seq, detail FROM bench.activities WHERE tenant_id = 'bench' AND opportunity_id = (SELECT id FROM bench.deal_ids WHERE n = :k) ORDER BY seq DESC LIMIT 500;
SELECT feedback FROM bench.stage_changes WHERE tenant_id = 'bench' AND opportunity_id = (SELECT id FROM bench.deal_ids WHERE n = :k) AND feedback <> '' ORDER BY seq DESC LIMIT 1;
UPDATE bench.opportunities SET stage_key = '方案报价', stage = 3, default_probability = 50, stage_entered_at = now(), override_reason = '',
       stale_since = NULL, stale_reason = ''
WHERE id = (SELECT id FROM bench.deal_ids WHERE n = :k) RETURNING *;
INSERT INTO bench.stage_changes (id, tenant_id, opportunity_id, from_stage, to_stage, pipeline_version, key_action, feedback, evidence_ids,
                                 override_reason, changed_by)
SELECT gen_random_uuid(), 'bench', id, '需求确认', '方案报价', 1, '发送方案', '要报价', '{}', '', 'bench.rep' FROM bench.deal_ids WHERE n = :k
RETURNING *;
INSERT INTO bench.outbox (event_id, tenant_id, aggregate_type, aggregate_id, event_type, payload)
VALUES (gen_random_uuid(), 'bench', 'opportunity', :k::text, 'sales.opportunities.v1.OpportunityStageChanged',
        '{"opportunity": {"name": "压测商机", "customerName": "压测客户", "ownerId": "bench.rep", "orgPath": "/east/sh", "stage": "STAGE_PROPOSAL", "amount": {"minorUnits": "10000000", "currency": "CNY"}, "pipeline": "bench", "pipelineVersion": 1, "stageKey": "方案报价", "defaultProbability": 50}, "change": {"fromStage": "需求确认", "toStage": "方案报价", "keyAction": "发送方案", "feedback": "要报价", "changedBy": "bench.rep"}}');
END;
