-- The canonical schema. Units: quantities in units of the SKU's unit of measure; money in the row's own
-- `currency` (ISO 4217), converted to the base currency only when reported; dates are calendar days in
-- the warehouse's local time; lengths cm, weights kg.
-- Every fact row records where it came from: import_id (import_batch), source_file, source_row.

CREATE TABLE import_batch (
    import_id      BIGINT PRIMARY KEY,
    source         VARCHAR NOT NULL,          -- importer name, e.g. amazon_all_orders, generic_orders, demo
    file_name      VARCHAR NOT NULL,
    file_hash      VARCHAR NOT NULL,          -- sha256 of the file bytes
    target_table   VARCHAR,
    rows_read      BIGINT NOT NULL DEFAULT 0,
    rows_added     BIGINT NOT NULL DEFAULT 0,
    rows_replaced  BIGINT NOT NULL DEFAULT 0,
    rows_rejected  BIGINT NOT NULL DEFAULT 0,
    imported_by    VARCHAR NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP,
    status         VARCHAR NOT NULL DEFAULT 'done' CHECK (status IN ('done', 'undone')),
    undone_at      TIMESTAMP
);
CREATE SEQUENCE import_id_seq START 1;

CREATE TABLE sku (
    sku_id         VARCHAR PRIMARY KEY,       -- canonical id
    title          VARCHAR NOT NULL,
    brand          VARCHAR,
    category       VARCHAR,
    subcategory    VARCHAR,
    uom            VARCHAR NOT NULL DEFAULT 'unit',
    length_cm      DOUBLE,
    width_cm       DOUBLE,
    height_cm      DOUBLE,
    weight_kg      DOUBLE,
    case_pack      INTEGER NOT NULL DEFAULT 1 CHECK (case_pack >= 1),
    lifecycle      VARCHAR NOT NULL DEFAULT 'active'
                   CHECK (lifecycle IN ('new', 'active', 'phase_out', 'discontinued')),
    launch_date    DATE,
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT
);

CREATE TABLE sku_alias (
    alias_type     VARCHAR NOT NULL CHECK (alias_type IN
                   ('seller_sku', 'asin', 'fnsku', 'shopify_sku', 'barcode', 'erp_code', 'name', 'other')),
    alias          VARCHAR NOT NULL,          -- the identifier exactly as the source writes it
    scope          VARCHAR NOT NULL DEFAULT '',  -- channel or warehouse id where the alias is only local
    sku_id         VARCHAR NOT NULL,
    confidence     DOUBLE NOT NULL DEFAULT 1.0,  -- 1.0 exact rule or confirmed by a person
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    created_by     VARCHAR NOT NULL DEFAULT 'system',
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (alias_type, alias, scope)
);

CREATE TABLE warehouse (
    warehouse_id   VARCHAR PRIMARY KEY,
    name           VARCHAR NOT NULL,
    type           VARCHAR NOT NULL CHECK (type IN ('fba', '3pl', 'own', 'store', 'dc')),
    country        VARCHAR NOT NULL,          -- ISO 3166-1 alpha-2
    region         VARCHAR,                   -- e.g. NA, EU, APAC
    currency       VARCHAR NOT NULL,
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT
);

CREATE TABLE channel (
    channel_id     VARCHAR PRIMARY KEY,
    name           VARCHAR NOT NULL,
    platform       VARCHAR NOT NULL CHECK (platform IN ('amazon', 'shopify', 'b2b', 'retail', 'other')),
    country        VARCHAR,
    currency       VARCHAR NOT NULL,
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT
);

CREATE TABLE supplier (
    supplier_id           VARCHAR PRIMARY KEY,
    name                  VARCHAR NOT NULL,
    country               VARCHAR,
    currency              VARCHAR NOT NULL,
    lead_time_mean_days   DOUBLE NOT NULL,    -- production / preparation until ready to ship
    lead_time_sd_days     DOUBLE NOT NULL DEFAULT 0,
    moq_units             INTEGER NOT NULL DEFAULT 1,
    payment_terms_days    INTEGER NOT NULL DEFAULT 0,   -- balance due this many days after shipment
    deposit_share         DOUBLE NOT NULL DEFAULT 0,    -- share paid at order, e.g. 0.3
    capacity_units_month  BIGINT,
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT
);

CREATE TABLE sku_supplier (
    sku_id         VARCHAR NOT NULL,
    supplier_id    VARCHAR NOT NULL,
    unit_price     DOUBLE NOT NULL,           -- in the supplier's currency
    moq_units      INTEGER NOT NULL DEFAULT 1,
    case_pack      INTEGER NOT NULL DEFAULT 1,
    is_primary     BOOLEAN NOT NULL DEFAULT true,
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (sku_id, supplier_id)
);

CREATE TABLE route (
    from_warehouse_id  VARCHAR NOT NULL,
    to_warehouse_id    VARCHAR NOT NULL,
    mode               VARCHAR NOT NULL CHECK (mode IN ('sea', 'rail', 'air', 'express', 'truck')),
    transit_mean_days  DOUBLE NOT NULL,
    transit_sd_days    DOUBLE NOT NULL DEFAULT 0,
    customs_days       DOUBLE NOT NULL DEFAULT 0,
    receiving_days     DOUBLE NOT NULL DEFAULT 0,   -- e.g. FBA check-in
    cost_per_kg        DOUBLE NOT NULL DEFAULT 0,
    currency           VARCHAR NOT NULL,
    duty_rate          DOUBLE NOT NULL DEFAULT 0,   -- share of purchase value
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (from_warehouse_id, to_warehouse_id, mode)
);

CREATE TABLE sales_line (
    order_id       VARCHAR NOT NULL,
    line_no        INTEGER NOT NULL,
    channel_id     VARCHAR NOT NULL,
    ordered_at     TIMESTAMP NOT NULL,
    source_sku     VARCHAR NOT NULL,          -- identifier as the source wrote it
    sku_id         VARCHAR,                   -- canonical SKU; NULL while unmapped (reported, never dropped)
    warehouse_id   VARCHAR,                   -- fulfilling warehouse
    ship_country   VARCHAR,
    qty            DOUBLE NOT NULL,           -- negative for returns
    unit_price     DOUBLE NOT NULL,           -- per unit, before fees, in `currency`
    currency       VARCHAR NOT NULL,
    fees           DOUBLE NOT NULL DEFAULT 0, -- platform + fulfilment fees of the line, in `currency`
    line_type      VARCHAR NOT NULL DEFAULT 'product'
                   CHECK (line_type IN ('product', 'return', 'shipping', 'fee', 'adjustment', 'sample', 'other')),
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (channel_id, order_id, line_no)
);

CREATE TABLE stock_snapshot (
    snapshot_date  DATE NOT NULL,
    warehouse_id   VARCHAR NOT NULL,
    sku_id         VARCHAR NOT NULL,
    on_hand        DOUBLE NOT NULL,           -- physically present and sellable
    reserved       DOUBLE NOT NULL DEFAULT 0, -- held for open orders or transfers
    inbound        DOUBLE NOT NULL DEFAULT 0, -- announced to this warehouse, not yet received
    unfulfillable  DOUBLE NOT NULL DEFAULT 0, -- damaged / unsellable
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (snapshot_date, warehouse_id, sku_id)
);

CREATE TABLE stock_movement (
    movement_key   VARCHAR NOT NULL,          -- natural key from the source (reference + line)
    moved_at       TIMESTAMP NOT NULL,
    warehouse_id   VARCHAR NOT NULL,
    sku_id         VARCHAR NOT NULL,
    movement_type  VARCHAR NOT NULL CHECK (movement_type IN
                   ('receipt', 'adjustment', 'transfer_in', 'transfer_out', 'return', 'disposal', 'sale')),
    qty            DOUBLE NOT NULL,           -- signed: + into the warehouse, - out of it
    unit_cost      DOUBLE,                    -- landed cost per unit for receipts (FIFO layers)
    currency       VARCHAR,
    reference      VARCHAR,                   -- PO, shipment or order id
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (warehouse_id, movement_key)
);

CREATE TABLE purchase_order (
    po_id                 VARCHAR PRIMARY KEY,
    supplier_id           VARCHAR NOT NULL,
    ordered_at            DATE NOT NULL,
    expected_ready        DATE,
    destination_warehouse_id VARCHAR,
    currency              VARCHAR NOT NULL,
    status                VARCHAR NOT NULL DEFAULT 'open'
                          CHECK (status IN ('draft', 'open', 'shipped', 'received', 'cancelled')),
    payment_terms_days    INTEGER NOT NULL DEFAULT 0,
    deposit_share         DOUBLE NOT NULL DEFAULT 0,
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT
);

CREATE TABLE purchase_order_line (
    po_id          VARCHAR NOT NULL,
    line_no        INTEGER NOT NULL,
    sku_id         VARCHAR NOT NULL,
    qty_ordered    DOUBLE NOT NULL,
    qty_received   DOUBLE NOT NULL DEFAULT 0,
    unit_price     DOUBLE NOT NULL,           -- in the PO's currency
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (po_id, line_no)
);

CREATE TABLE shipment (
    shipment_id        VARCHAR PRIMARY KEY,
    from_warehouse_id  VARCHAR NOT NULL,
    to_warehouse_id    VARCHAR NOT NULL,
    mode               VARCHAR NOT NULL CHECK (mode IN ('sea', 'rail', 'air', 'express', 'truck')),
    ship_date          DATE NOT NULL,
    eta                DATE NOT NULL,
    arrived_date       DATE,                  -- NULL while in transit
    freight_cost       DOUBLE NOT NULL DEFAULT 0,
    currency           VARCHAR NOT NULL,
    status             VARCHAR NOT NULL DEFAULT 'in_transit'
                       CHECK (status IN ('planned', 'in_transit', 'arrived', 'cancelled')),
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT
);

CREATE TABLE shipment_line (
    shipment_id    VARCHAR NOT NULL,
    line_no        INTEGER NOT NULL,
    sku_id         VARCHAR NOT NULL,
    qty            DOUBLE NOT NULL,
    po_id          VARCHAR,
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (shipment_id, line_no)
);

CREATE TABLE unit_cost (
    sku_id         VARCHAR NOT NULL,
    valid_from     DATE NOT NULL,
    currency       VARCHAR NOT NULL,
    purchase_cost  DOUBLE NOT NULL,           -- per unit, from the supplier
    freight_cost   DOUBLE NOT NULL DEFAULT 0, -- first-leg freight allocated per unit
    duty_cost      DOUBLE NOT NULL DEFAULT 0,
    other_cost     DOUBLE NOT NULL DEFAULT 0, -- inspection, labelling, prep
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (sku_id, valid_from)
);

CREATE TABLE fx_rate (
    rate_date      DATE NOT NULL,
    currency       VARCHAR NOT NULL,          -- 1 unit of `currency` ...
    quote_currency VARCHAR NOT NULL,          -- ... is worth `rate` units of `quote_currency`
    rate           DOUBLE NOT NULL CHECK (rate > 0),
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (rate_date, currency, quote_currency)
);

CREATE TABLE fee (
    fee_key        VARCHAR NOT NULL,          -- natural key from the source
    period_start   DATE NOT NULL,
    period_end     DATE NOT NULL,
    warehouse_id   VARCHAR,
    channel_id     VARCHAR,
    sku_id         VARCHAR,
    fee_type       VARCHAR NOT NULL CHECK (fee_type IN
                   ('storage', 'aged_surcharge', 'fulfilment', 'referral', 'disposal', 'inbound', 'other')),
    amount         DOUBLE NOT NULL,
    currency       VARCHAR NOT NULL,
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (fee_type, fee_key)
);

CREATE TABLE ad_spend (
    spend_date     DATE NOT NULL,
    channel_id     VARCHAR NOT NULL,
    campaign       VARCHAR NOT NULL DEFAULT '',
    sku_id         VARCHAR,
    source_sku     VARCHAR NOT NULL,
    impressions    BIGINT NOT NULL DEFAULT 0,
    clicks         BIGINT NOT NULL DEFAULT 0,
    spend          DOUBLE NOT NULL,
    attributed_sales DOUBLE NOT NULL DEFAULT 0,
    currency       VARCHAR NOT NULL,
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (spend_date, channel_id, campaign, source_sku)
);

CREATE TABLE event (
    name           VARCHAR NOT NULL,
    event_type     VARCHAR NOT NULL CHECK (event_type IN
                   ('holiday', 'platform', 'promotion', 'closure', 'sporting', 'cultural', 'religious', 'other')),
    country        VARCHAR NOT NULL DEFAULT '',   -- '' = everywhere
    channel_id     VARCHAR,
    sku_id         VARCHAR,                       -- promotions on one SKU; NULL = all
    start_date     DATE NOT NULL,
    end_date       DATE NOT NULL,
    discount_pct   DOUBLE,
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT,
    PRIMARY KEY (name, country, start_date)
);

CREATE TABLE receivable (
    doc_id         VARCHAR PRIMARY KEY,
    counterparty   VARCHAR NOT NULL,          -- marketplace settlement, B2B customer...
    channel_id     VARCHAR,
    issued_date    DATE NOT NULL,
    due_date       DATE NOT NULL,
    amount         DOUBLE NOT NULL,
    currency       VARCHAR NOT NULL,
    paid_date      DATE,
    paid_amount    DOUBLE NOT NULL DEFAULT 0,
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT
);

CREATE TABLE payable (
    doc_id         VARCHAR PRIMARY KEY,
    supplier_id    VARCHAR NOT NULL,
    po_id          VARCHAR,
    issued_date    DATE NOT NULL,
    due_date       DATE NOT NULL,
    amount         DOUBLE NOT NULL,
    currency       VARCHAR NOT NULL,
    paid_date      DATE,
    paid_amount    DOUBLE NOT NULL DEFAULT 0,
    import_id      BIGINT, source_file VARCHAR, source_row BIGINT
);

-- Outputs: every row belongs to one run.
CREATE TABLE run (
    run_id         VARCHAR PRIMARY KEY,
    kind           VARCHAR NOT NULL CHECK (kind IN ('forecast', 'plan', 'alert', 'backtest', 'metrics')),
    as_of          DATE,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP,
    parameters     JSON,
    created_by     VARCHAR NOT NULL DEFAULT 'system'
);

CREATE TABLE forecast (
    run_id         VARCHAR NOT NULL,
    sku_id         VARCHAR NOT NULL,
    warehouse_id   VARCHAR NOT NULL,          -- '' when forecast at SKU level
    ds             DATE NOT NULL,
    mean           DOUBLE NOT NULL,
    quantiles      MAP(DOUBLE, DOUBLE) NOT NULL,  -- probability level -> units
    PRIMARY KEY (run_id, sku_id, warehouse_id, ds)
);

CREATE TABLE forecast_model (
    run_id         VARCHAR NOT NULL,
    sku_id         VARCHAR NOT NULL,
    warehouse_id   VARCHAR NOT NULL,
    model          VARCHAR NOT NULL,
    backtest_mae   DOUBLE,
    backtest_rmsse DOUBLE,
    explanation    JSON,
    PRIMARY KEY (run_id, sku_id, warehouse_id)
);

CREATE TABLE plan_line (
    run_id             VARCHAR NOT NULL,
    line_id            INTEGER NOT NULL,
    sku_id             VARCHAR NOT NULL,
    warehouse_id       VARCHAR NOT NULL,      -- destination
    supplier_id        VARCHAR,
    source_warehouse_id VARCHAR,              -- for transfers
    action             VARCHAR NOT NULL CHECK (action IN ('order', 'transfer', 'clearance')),
    qty                DOUBLE NOT NULL,
    mode               VARCHAR,
    order_by           DATE,
    ship_by            DATE,
    expected_arrival   DATE,
    projected_stockout DATE,                  -- without action
    cover_after_days   DOUBLE,
    cost               DOUBLE,                -- base currency
    cash_needed        DOUBLE,
    cash_date          DATE,
    reason             VARCHAR NOT NULL,
    status             VARCHAR NOT NULL DEFAULT 'proposed'
                       CHECK (status IN ('proposed', 'edited', 'approved', 'rejected')),
    approved_by        VARCHAR,
    approved_at        TIMESTAMP,
    PRIMARY KEY (run_id, line_id)
);

CREATE TABLE alert (
    run_id          VARCHAR NOT NULL,
    alert_id        INTEGER NOT NULL,
    alert_type      VARCHAR NOT NULL,         -- stockout_risk, overstock, aging_tier, turnover_slowing, receivable_overdue
    severity        VARCHAR NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    sku_id          VARCHAR,
    warehouse_id    VARCHAR,
    what            VARCHAR NOT NULL,
    why             VARCHAR NOT NULL,
    action          VARCHAR NOT NULL,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    acknowledged_by VARCHAR,
    acknowledged_at TIMESTAMP,
    PRIMARY KEY (run_id, alert_id)
);
