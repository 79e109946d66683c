-- Issue 3 (master data). Every change to canonical SKUs and their aliases, with the rows it changed, so
-- `stockturn sku undo` can put them back exactly; and the fuzzy suggestions a person confirms or rejects.

CREATE TABLE sku_change (
    change_id      BIGINT PRIMARY KEY,
    operation      VARCHAR NOT NULL CHECK (operation IN
                   ('link', 'unlink', 'merge', 'split', 'auto_link', 'confirm', 'create')),
    summary        VARCHAR NOT NULL,          -- one line, e.g. "merge 85099C into 85099B"
    sku_ids        VARCHAR[] NOT NULL,        -- canonical SKUs the change touched
    aliases        VARCHAR[] NOT NULL,        -- source identifiers whose mapping it changed
    detail         JSON,                      -- the operation's arguments
    changed_by     VARCHAR NOT NULL,
    changed_at     TIMESTAMP NOT NULL,
    undone_by      VARCHAR,                   -- NULL while the change stands
    undone_at      TIMESTAMP
);
CREATE SEQUENCE sku_change_id_seq START 1;

-- The rows a change touched, whole, before and after it (sku, sku_alias and every fact table whose
-- sku_id it rewrote). Undo deletes the 'after' rows by primary key and re-inserts the 'before' rows.
CREATE TABLE sku_change_row (
    change_id      BIGINT NOT NULL,
    table_name     VARCHAR NOT NULL,
    phase          VARCHAR NOT NULL CHECK (phase IN ('before', 'after')),
    row_json       JSON NOT NULL              -- the whole row, column -> value
);

-- Fuzzy suggestions for unmapped identifiers; a person confirms (the alias is linked) or rejects (the
-- pair is never suggested again).
CREATE TABLE sku_suggestion (
    suggestion_id  BIGINT PRIMARY KEY,
    alias          VARCHAR NOT NULL,          -- the unmapped identifier as the source wrote it
    scope          VARCHAR NOT NULL DEFAULT '',  -- channel or warehouse it was seen in
    alias_type     VARCHAR NOT NULL,          -- type the alias gets when confirmed
    sku_id         VARCHAR NOT NULL,          -- suggested canonical SKU
    score          DOUBLE NOT NULL,           -- 0..100, see docs/master-data.md
    matched_text   VARCHAR NOT NULL,          -- the title, name or code of sku_id it resembles
    method         VARCHAR NOT NULL CHECK (method IN ('title', 'code')),
    status         VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'rejected')),
    created_at     TIMESTAMP NOT NULL,
    decided_by     VARCHAR,
    decided_at     TIMESTAMP
);
CREATE SEQUENCE sku_suggestion_id_seq START 1;
