-- The most viewed products (seed 004): views, distinct viewers, add-to-carts and purchases per product,
-- ranked by views (1 = most viewed). Filter on view_rank for a top N.
with activity as (
    select
        product_id,
        count_if(event_type = 'product_view') as views,
        count(distinct user_id) filter (where event_type = 'product_view') as unique_viewers,
        count_if(event_type = 'add_to_cart') as add_to_carts,
        count_if(event_type = 'purchase') as purchases
    from {{ref "stg_user_events"}}
    where product_id is not null
    group by product_id
)

select
    activity.product_id,
    products.product_name,
    products.category,
    activity.views,
    activity.unique_viewers,
    activity.add_to_carts,
    activity.purchases,
    cast(activity.purchases as double) / nullif(activity.views, 0) as view_to_purchase_rate,
    rank() over (order by activity.views desc) as view_rank
from activity
left join {{ref "dim_products"}} as products on products.product_id = activity.product_id
where activity.views > 0
