-- Issue 3 (import). What an import replaced, so `stockturn imports undo ID` can put it back; the source
-- identifier next to canonical SKU ids on tables whose sku_id is part of the key; a price list.

-- One row per row that an import replaced (same natural key, different values): the old row as JSON.
-- Undo of `replaced_by` deletes the import's rows and re-inserts these old rows where their key is free.
CREATE TABLE import_replaced (
    replaced_by    BIGINT NOT NULL,           -- import_batch.import_id of the import that replaced the row
    table_name     VARCHAR NOT NULL,
    old_import_id  BIGINT,                    -- import that had written the old row
    row_json       JSON NOT NULL              -- the whole old row, column -> value
);

-- Rows an import read but did not write as new or replaced: identical to what was already there.
ALTER TABLE import_batch ADD COLUMN rows_unchanged BIGINT DEFAULT 0;
ALTER TABLE import_batch ADD COLUMN channel_id VARCHAR;     -- --channel given to the import, if any
ALTER TABLE import_batch ADD COLUMN warehouse_id VARCHAR;   -- --warehouse given to the import, if any

-- Identifier as the source wrote it, on tables whose sku_id cannot be NULL (it is part of their key):
-- there sku_id falls back to source_sku while the identifier has no alias (see docs/importing.md).
ALTER TABLE stock_snapshot ADD COLUMN source_sku VARCHAR;
ALTER TABLE stock_movement ADD COLUMN source_sku VARCHAR;
ALTER TABLE purchase_order_line ADD COLUMN source_sku VARCHAR;
ALTER TABLE shipment_line ADD COLUMN source_sku VARCHAR;
ALTER TABLE unit_cost ADD COLUMN source_sku VARCHAR;
ALTER TABLE fee ADD COLUMN source_sku VARCHAR;
ALTER TABLE event ADD COLUMN source_sku VARCHAR;

-- Selling prices over time per channel (e.g. M5 weekly sell prices, a marketplace price file).
CREATE TABLE list_price (
    channel_id     VARCHAR NOT NULL,
    source_sku     VARCHAR NOT NULL,
    sku_id         VARCHAR,                   -- canonical; NULL while unmapped
    valid_from     DATE NOT NULL,
    valid_to       DATE,                      -- inclusive; NULL = open-ended
    price          DOUBLE NOT NULL,
    currency       VARCHAR NOT NULL,
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (channel_id, source_sku, valid_from)
);
