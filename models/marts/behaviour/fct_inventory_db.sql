{{config enabled=(var "shop_db" false) tags="shop_db"}}
-- Stock per product from the shop database, the stock's truth (seed 002), reconciled with the event
-- stream: event_implied_stock is what fct_inventory derives from product-metadata's reported stock and the
-- purchases since; stock_difference is the database's quantity minus it (restocks, which no event
-- carries, and changes not yet in the raw layer show up there). A product is low on stock below its own
-- threshold in the database.
with stock as (
    select
        product_id,
        cast(quantity as integer) as quantity,
        cast(low_stock_threshold as integer) as low_stock_threshold,
        cast(from_iso8601_timestamp(updated_at) at time zone 'UTC' as timestamp(6)) as stock_updated_at,
        cast(_commit_ts as timestamp(6)) as stock_committed_at
    from {{ref "stg_db_inventory"}}
),

products as (
    select
        product_id,
        name as product_name,
        category,
        cast(price as decimal(12, 2)) as price,
        is_active = 'true' as is_active
    from {{ref "stg_db_products"}}
)

select
    stock.product_id,
    products.product_name,
    products.category,
    products.price,
    products.is_active,
    stock.quantity,
    stock.low_stock_threshold,
    stock.quantity < stock.low_stock_threshold as is_low_stock,
    events.current_stock as event_implied_stock,
    stock.quantity - events.current_stock as stock_difference,
    stock.stock_updated_at,
    stock.stock_committed_at
from stock
left join products on products.product_id = stock.product_id
left join {{ref "fct_inventory"}} as events on events.product_id = stock.product_id
