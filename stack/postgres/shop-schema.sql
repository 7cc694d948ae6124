-- The shop's operational database (seed 002), applied by `floe stack up` before the CDC connector starts.
-- Idempotent: safe to apply on every `up` and by the event generator. Ids are the event stream's
-- (`u-1`, `p-1`, the simulation's order ids). No foreign keys: a GDPR-deleted user keeps its orders.
-- REPLICA IDENTITY FULL makes Debezium's update/delete messages carry the whole before-image.

CREATE TABLE IF NOT EXISTS users (
  user_id text PRIMARY KEY,
  email text NOT NULL,
  full_name text NOT NULL,
  country text NOT NULL,
  device text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS products (
  product_id text PRIMARY KEY,
  name text NOT NULL,
  category text NOT NULL,
  price numeric(12,2) NOT NULL,
  is_active boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS inventory (
  product_id text PRIMARY KEY,
  quantity integer NOT NULL,
  low_stock_threshold integer NOT NULL DEFAULT 10,
  updated_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS orders (
  order_id text PRIMARY KEY,
  user_id text NOT NULL,
  status text NOT NULL,
  amount numeric(12,2) NOT NULL,
  currency text NOT NULL,
  country text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS order_items (
  order_item_id text PRIMARY KEY,
  order_id text NOT NULL,
  product_id text NOT NULL,
  quantity integer NOT NULL,
  unit_price numeric(12,2) NOT NULL
);

-- ALTER TABLE ... REPLICA IDENTITY FULL, only where it is not yet FULL: the ALTER takes an exclusive lock,
-- and this file runs on every `floe stack up` while writers may be busy.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'products', 'inventory', 'orders', 'order_items'] LOOP
    IF (SELECT relreplident FROM pg_class WHERE oid = format('public.%I', t)::regclass) <> 'f' THEN
      EXECUTE format('ALTER TABLE public.%I REPLICA IDENTITY FULL', t);
    END IF;
  END LOOP;
END
$$;
