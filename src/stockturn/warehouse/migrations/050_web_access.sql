-- Web dashboard access (issue 7): users with roles, server-side sessions, and an audit trail of what
-- people changed through the dashboard (plan edits and approvals, alert acknowledgements, imports,
-- master-data links). Passwords are stored only as argon2id hashes; sessions only as sha256 of the token.

CREATE TABLE app_user (
    username       VARCHAR PRIMARY KEY,       -- login name, lower case
    password_hash  VARCHAR NOT NULL,          -- argon2id encoded hash ($argon2id$v=19$...)
    role           VARCHAR NOT NULL CHECK (role IN ('viewer', 'planner', 'admin')),
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    created_by     VARCHAR NOT NULL DEFAULT 'system'
);

CREATE TABLE app_session (
    token_sha256   VARCHAR PRIMARY KEY,       -- sha256 hex of the cookie value; the token itself is never stored
    username       VARCHAR NOT NULL,
    csrf_token     VARCHAR NOT NULL,          -- must accompany every state-changing request of this session
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL
);

CREATE TABLE audit_log (
    audit_id       BIGINT PRIMARY KEY,
    happened_at    TIMESTAMP NOT NULL,
    username       VARCHAR NOT NULL,          -- 'local' when the dashboard runs without users on loopback
    action         VARCHAR NOT NULL,          -- plan_line.edit, plan_line.approve, alert.acknowledge, import.upload, ...
    target         VARCHAR NOT NULL,          -- e.g. plan-20240301T101500-3fa2/17
    detail         JSON                       -- before/after values
);
CREATE SEQUENCE audit_id_seq START 1;
