import ServiceKit

/// The store_sales schema, forward-only.
public enum StoreSalesMigrations {
    public static let all: [Migration] = [
        Migration(
            "0100_stores",
            """
            CREATE TABLE stores (
                id uuid PRIMARY KEY,
                seq bigserial NOT NULL UNIQUE,
                tenant_id text NOT NULL,
                code text NOT NULL,
                name text NOT NULL,
                city text NOT NULL DEFAULT '',
                latitude double precision,
                longitude double precision,
                -- The store manager; named owner_id so the shared visibility predicate applies.
                owner_id text NOT NULL,
                org_path text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now(),
                UNIQUE (tenant_id, code)
            );
            """)
    ]
}
