-- Issue 3 (import speed). sales_line keeps its natural key (channel_id, order_id, line_no), but no longer
-- as a DuckDB PRIMARY KEY: maintaining that 3-column index took about half of the time of a large import
-- (BENCHMARKS.md). The writers enforce the key themselves, in SQL, inside their transaction (new keys are
-- anti-joined against the table, a file's repeated keys are dropped before writing, undo re-inserts only
-- keys that are free): stockturn.warehouse.keys, ingestion/upsert.py, ingestion/audit.py, masterdata.

-- Natural keys that no index enforces: the tables whose writers check the key in SQL.
CREATE TABLE natural_key (
    table_name     VARCHAR PRIMARY KEY,
    key_columns    VARCHAR[] NOT NULL
);
INSERT INTO natural_key VALUES ('sales_line', ['channel_id', 'order_id', 'line_no']);

-- DuckDB cannot drop a constraint: the table is rebuilt with the same columns, in the same order.
CREATE TABLE sales_line_060 (
    order_id       VARCHAR NOT NULL,
    line_no        INTEGER NOT NULL,
    channel_id     VARCHAR NOT NULL,
    ordered_at     TIMESTAMP NOT NULL,
    source_sku     VARCHAR NOT NULL,
    sku_id         VARCHAR,
    warehouse_id   VARCHAR,
    ship_country   VARCHAR,
    qty            DOUBLE NOT NULL,
    unit_price     DOUBLE NOT NULL,
    currency       VARCHAR NOT NULL,
    fees           DOUBLE NOT NULL DEFAULT 0,
    line_type      VARCHAR NOT NULL DEFAULT 'product'
                   CHECK (line_type IN ('product', 'return', 'shipping', 'fee', 'adjustment', 'sample', 'other')),
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT
);
INSERT INTO sales_line_060 SELECT * FROM sales_line;
DROP TABLE sales_line;
ALTER TABLE sales_line_060 RENAME TO sales_line;
