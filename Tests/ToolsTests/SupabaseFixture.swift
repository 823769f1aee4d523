import Synchronization
import TestSupport

/// A database laid out like a Supabase project, connected as its owner (a superuser, as Studio's users
/// are): `auth.users` with GoTrue's column names, `auth.refresh_tokens`, `auth.identities`, pgsodium's key
/// table and decrypted view, `vault.secrets` and a `vault.decrypted_secrets` view, and user objects: a view
/// reading `auth.users.encrypted_password`, one reading only the email, one of whole rows, materialized views
/// of both kinds, public tables with secret-named columns (`password`, `stripe_api_key`, `client_secret`), a
/// partitioned table, statistics, a table whose default, CHECK and policy embed a secret, and a table in
/// `pgassist_trash` with a view over it. Every secret value starts with `PLANTED`.
enum SupabaseFixture {
    /// The marker every planted secret value starts with.
    static let planted = "PLANTED"

    static let sql = #"""
CREATE SCHEMA auth; CREATE SCHEMA vault; CREATE SCHEMA pgsodium; CREATE SCHEMA pgassist_trash;
CREATE TABLE auth.users (
    instance_id uuid, id uuid PRIMARY KEY, aud varchar(255), role varchar(255), email varchar(255),
    encrypted_password varchar(255), email_confirmed_at timestamptz, invited_at timestamptz,
    confirmation_token varchar(255), confirmation_sent_at timestamptz, recovery_token varchar(255),
    recovery_sent_at timestamptz, email_change_token_new varchar(255), email_change varchar(255),
    email_change_sent_at timestamptz, last_sign_in_at timestamptz, raw_app_meta_data jsonb,
    raw_user_meta_data jsonb, is_super_admin boolean, created_at timestamptz, updated_at timestamptz,
    phone text, phone_confirmed_at timestamptz, phone_change text, phone_change_token varchar(255),
    phone_change_sent_at timestamptz, email_change_token_current varchar(255),
    email_change_confirm_status smallint, banned_until timestamptz, reauthentication_token varchar(255),
    reauthentication_sent_at timestamptz, is_sso_user boolean NOT NULL DEFAULT false, deleted_at timestamptz,
    is_anonymous boolean NOT NULL DEFAULT false);
INSERT INTO auth.users (id, email, encrypted_password, confirmation_token, recovery_token)
VALUES ('00000000-0000-0000-0000-000000000001', 'ada@example.com',
        '$2a$10$PLANTEDHASHabcdefghijklmnopqrstuvwxyz0123456789ABCD', 'PLANTEDCONFIRM', 'PLANTEDRECOVERY');
CREATE TABLE auth.refresh_tokens (id bigserial PRIMARY KEY, token varchar(255), user_id varchar(255), revoked boolean);
INSERT INTO auth.refresh_tokens (token, user_id) VALUES ('PLANTEDREFRESH', 'ada');
CREATE TABLE auth.identities (id text, user_id uuid, identity_data jsonb, provider text);
INSERT INTO auth.identities VALUES ('i1', '00000000-0000-0000-0000-000000000001', '{"sub": "PLANTEDIDENTITY"}', 'email');
CREATE TABLE pgsodium.key (id uuid PRIMARY KEY, name text, raw_key bytea, raw_key_nonce bytea, key_id bigint);
INSERT INTO pgsodium.key VALUES ('00000000-0000-0000-0000-0000000000aa', 'default', '\x504c414e544544', '\x00', 1);
CREATE VIEW pgsodium.decrypted_key AS SELECT id, name, raw_key AS decrypted_raw_key FROM pgsodium.key;
CREATE TABLE vault.secrets (id uuid PRIMARY KEY, name text, description text, secret text, key_id uuid, nonce bytea,
                            created_at timestamptz DEFAULT now());
INSERT INTO vault.secrets (id, name, secret) VALUES ('00000000-0000-0000-0000-0000000000bb', 'stripe', 'PLANTEDVAULTCIPHER');
CREATE VIEW vault.decrypted_secrets AS
    SELECT id, name, description, secret, 'PLANTEDDECRYPTED'::text AS decrypted_secret, key_id, created_at FROM vault.secrets;
CREATE TABLE public.accounts (id int PRIMARY KEY, login text, password text, notes text);
INSERT INTO public.accounts VALUES (1, 'mike', 'PLANTEDPASSWORD', 'ordinary');
CREATE TABLE public.integrations (id int, name text, stripe_api_key text, client_secret text);
INSERT INTO public.integrations VALUES (1, 'stripe', 'PLANTEDAPIKEY', 'PLANTEDCLIENTSECRET');
CREATE TABLE public.films (id int PRIMARY KEY, title text, rating text);
INSERT INTO public.films SELECT g, 'film ' || g, 'PG' FROM generate_series(1, 50) AS g;
CREATE TABLE public.customers (id int PRIMARY KEY, name text, api_note text, internal_code text);
INSERT INTO public.customers VALUES (1, 'ada', 'fine', 'PLANTEDEXTRA');
CREATE TABLE public.vendors (id int, name text, bank_account text);
INSERT INTO public.vendors VALUES (1, 'acme', 'PLANTEDBANK');
CREATE VIEW public.user_logins AS SELECT u.id, u.email, u.encrypted_password FROM auth.users u;
CREATE VIEW public.user_emails AS SELECT u.id, u.email FROM auth.users u;
CREATE VIEW public.user_rows AS SELECT row_to_json(u) AS doc FROM auth.users u;
CREATE VIEW public.login_checks AS SELECT u.id FROM auth.users u WHERE u.encrypted_password IS NOT NULL;
CREATE MATERIALIZED VIEW public.login_cache AS SELECT id, encrypted_password AS hash FROM auth.users;
CREATE MATERIALIZED VIEW public.email_cache AS SELECT id, email FROM auth.users;
CREATE TABLE public.parts (id int, password text) PARTITION BY RANGE (id);
CREATE TABLE public.parts_1 PARTITION OF public.parts FOR VALUES FROM (0) TO (100);
INSERT INTO public.parts VALUES (1, 'PLANTEDPART');
CREATE TABLE pgassist_trash.old_orders (id int, total int);
INSERT INTO pgassist_trash.old_orders VALUES (1, 10);
CREATE VIEW public.trash_peek AS SELECT id FROM pgassist_trash.old_orders;
CREATE TABLE public.ledger (id int, note text) PARTITION BY RANGE (id);
CREATE TABLE pgassist_trash.ledger_old PARTITION OF public.ledger FOR VALUES FROM (0) TO (100);
INSERT INTO public.ledger VALUES (1, 'PLANTEDTRASHPART');
CREATE TABLE public.notes_base (id int, note text);
CREATE TABLE pgassist_trash.notes_dropped () INHERITS (public.notes_base);
INSERT INTO pgassist_trash.notes_dropped VALUES (1, 'PLANTEDTRASHCHILD');
ALTER TABLE auth.identities ADD COLUMN email text GENERATED ALWAYS AS (lower(identity_data->>'sub')) STORED;
CREATE TYPE public.credential AS (login text, password text);
CREATE TABLE public.logins (id int, cred public.credential, history public.credential[]);
INSERT INTO public.logins VALUES (1, ROW('bob', 'PLANTEDCOMPOSITE'), ARRAY[ROW('bob', 'PLANTEDARRAY')::public.credential]);
CREATE VIEW public.login_fields AS SELECT id, (cred).password AS pw FROM public.logins;
CREATE TABLE public.long_secrets (id int, label text, secret text);
ALTER TABLE public.long_secrets ALTER COLUMN secret SET STORAGE EXTERNAL;
INSERT INTO public.long_secrets VALUES (1, 'long', 'PLANTEDLONG' || repeat('x', 5000));
CREATE TABLE public.stats_probe (id int, label text, password text);
INSERT INTO public.stats_probe SELECT g % 3, 'label ' || (g % 3), 'PLANTEDSTAT' || (g % 3) FROM generate_series(1, 300) AS g;
CREATE TABLE public.tokens_checked (id int, kind text DEFAULT 'PLANTEDDEFAULT', secret text,
    CONSTRAINT not_master CHECK (secret <> 'PLANTEDCHECK'), CONSTRAINT positive CHECK (id > 0));
ALTER TABLE public.tokens_checked ENABLE ROW LEVEL SECURITY;
CREATE POLICY by_secret ON public.tokens_checked USING (secret = 'PLANTEDPOLICY');
CREATE POLICY by_id ON public.tokens_checked USING (id > 0);
ANALYZE;
"""#

    private static let shared = Mutex<Result<ToolTestDatabase, TestSupportError>?>(nil)

    /// The fixture database, made once per test process.
    static func database() throws -> ToolTestDatabase {
        try ToolTestDatabase.once(shared, prefix: "supa", sql: sql, what: "the Supabase-shaped fixture")
    }
}
