-- Same-day purchasers (seed 004): per UTC date, the distinct users who both viewed a product and made a
-- purchase that date, beside the day's viewers and purchasers.
with daily as (
    select
        event_date,
        user_id,
        count_if(event_type = 'product_view') > 0 as viewed,
        count_if(event_type = 'purchase') > 0 as purchased
    from {{ref "stg_user_events"}}
    where event_type in ('product_view', 'purchase')
    group by event_date, user_id
)

select
    event_date as activity_date,
    count_if(viewed) as viewers,
    count_if(purchased) as purchasers,
    count_if(viewed and purchased) as same_day_purchasers
from daily
group by event_date
