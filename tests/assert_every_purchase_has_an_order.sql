-- Business rule (seed 000/001): every purchase event belongs to an order the order stream knows.
-- (Its payment may still be in flight: order_paid follows the purchase, so paid is not required here.)
-- Late-arrival allowance (var late_arrival_minutes, 10): purchases and orders come from two topics, each
-- landed by the sink in its own files, so while data keeps arriving (`floe serve`) a purchase can be staged
-- while its order_created is still in the sink's open file or in the next staging load. A purchase is
-- judged once the order stream's own clock — its newest event_time, never later than now — has passed it by
-- the allowance; with no order events at all, the user events' newest time is the clock, so purchases
-- with no order stream behind them still fail. The data's clock rather than now: a backlog being
-- replayed after an outage is judged only as far as its orders have arrived, and the same data always gives
-- the same answer; a historical load is checked in full but for its last 10 minutes.
-- Failing rows: judged purchase events without an order id or whose order is unknown.
with judged as (
    select least(
        coalesce(
            (select max(event_time) from {{ref "stg_order_events"}}),
            (select max(event_time) from {{ref "stg_user_events"}})
        ),
        cast(current_timestamp at time zone 'UTC' as timestamp(6))
    ) - interval '{{var "late_arrival_minutes" 10}}' minute as until_time
)

select
    purchases.event_id,
    purchases.order_id,
    purchases.event_time
from {{ref "stg_user_events"}} as purchases
cross join judged
left join {{ref "fct_orders"}} as orders on orders.order_id = purchases.order_id
where purchases.event_type = 'purchase'
    and purchases.event_time <= judged.until_time
    and orders.order_id is null
