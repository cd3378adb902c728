-- The benchmark chain: 50 stores run by bench.admin, five clerks each (clerk-<store>-<n>).
INSERT INTO store_sales.stores (id, tenant_id, code, name, district, owner_id, org_path)
SELECT gen_random_uuid(), 'bench-store', 'S-' || g, '门店' || g, '商圈' || (g % 10), 'bench.admin', '/hq' FROM generate_series(1, 50) g;
INSERT INTO store_sales.clerks (id, tenant_id, store_id, user_id, name)
SELECT gen_random_uuid(), 'bench-store', s.id, 'clerk-' || substr(s.code, 3) || '-' || n, '店员'
FROM store_sales.stores s, generate_series(1, 5) n WHERE s.tenant_id = 'bench-store';
