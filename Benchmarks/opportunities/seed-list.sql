-- 200,000 deals of one tenant in 40 teams under 4 regions (10 teams each), for the
-- ListOpportunities phase: a manager of /region-1 sees 50,000 of them.
INSERT INTO opportunities.opportunities (id, tenant_id, name, customer_name, owner_id, org_path, stage, amount_minor, currency,
                                         expected_close, pipeline, pipeline_version, stage_key, default_probability, deal_type,
                                         stage_entered_at, created_by)
SELECT gen_random_uuid(), 'bench-list', '商机' || g, '客户' || (g % 5000), 'rep-' || (g % 400),
       '/region-' || (g % 4) || '/team-' || (g % 40), 1, (100000 + g) * 100, 'CNY', now() + interval '60 days',
       'new-business', 0, '初步接触', 10, 1, now() - (g % 90) * interval '1 day', 'seed'
FROM generate_series(1, 200000) g;
-- Vacuumed (hint bits and the visibility map set now) and checkpointed, so neither autovacuum
-- nor the kernel writing these pages back runs during the timed phases.
VACUUM ANALYZE opportunities.opportunities;
CHECKPOINT;
