-- Revenue per product category and UTC day of payment (seed 004): the order lines of paid orders.
select
    orders.paid_date as revenue_date,
    coalesce(products.category, 'unknown') as category,
    count(distinct orders.order_id) as orders,
    sum(items.quantity) as units,
    sum(items.line_amount) as revenue
from {{ref "fct_orders"}} as orders
join {{ref "int_order_items"}} as items on items.order_id = orders.order_id
left join {{ref "dim_products"}} as products on products.product_id = items.product_id
where orders.is_paid
group by 1, 2
