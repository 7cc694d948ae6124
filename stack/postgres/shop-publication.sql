-- The publication Debezium's connector reads (publication.autocreate.mode=disabled: Floe owns it), made
-- once, after shop-schema.sql, by the tables' owner. `floe stack cdc-teardown` drops it with the slot.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'floe_shop') THEN
    CREATE PUBLICATION floe_shop FOR TABLE public.users, public.products, public.inventory, public.orders,
      public.order_items;
  END IF;
END
$$;
