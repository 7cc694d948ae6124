-- Current inventory and low-stock flags (seed 002), from product and order events: the latest stock the
-- catalog reported (product_created / product_updated) minus the units of orders paid after that report.
-- A product is low on stock below `low_stock_threshold` units.
with sold_after_report as (
    select
        items.product_id,
        sum(items.quantity) as units
    from {{ref "int_order_items"}} as items
    join {{ref "fct_orders"}} as orders on orders.order_id = items.order_id
    join {{ref "dim_products"}} as products on products.product_id = items.product_id
    where orders.is_paid and orders.paid_at > products.stock_reported_at
    group by items.product_id
)

select
    products.product_id,
    products.product_name,
    products.category,
    products.is_active,
    products.reported_stock,
    products.stock_reported_at,
    coalesce(sold.units, 0) as units_sold_since_report,
    greatest(products.reported_stock - coalesce(sold.units, 0), 0) as current_stock,
    greatest(products.reported_stock - coalesce(sold.units, 0), 0) < {{var "low_stock_threshold" 25}} as is_low_stock
from {{ref "dim_products"}} as products
left join sold_after_report as sold on sold.product_id = products.product_id
