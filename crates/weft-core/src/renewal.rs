//! The renewal maths, with no I/O: from the seats of each user type (bought, held, active,
//! idle) and what each type costs, the seats to renew and what each way of cutting spend
//! saves. The hub gathers the figures; the pages, the API and the CLI show the result.
//!
//! Seats bought per type are known only where someone entered them (Wrike gives the
//! account's total, `userLimit`); the rest of the total is a pool of seats of unknown type,
//! priced at the cost of a seat.

use serde::Serialize;

/// One user type's seats as the store counts them, with what a seat of it costs a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeFigures {
    pub type_id: Option<String>,
    pub title: String,
    /// Yearly cost of one seat of this type, in cents.
    pub cost_cents: i64,
    /// Seats of this type bought, when entered.
    pub bought: Option<i64>,
    /// Paid seats held (active, not deleted people of this type).
    pub assigned: i64,
    /// Held seats with no activity for the threshold (never active included).
    pub idle: i64,
    /// Held seats never active at all (a part of `idle`).
    pub never_active: i64,
    /// Deactivated or deleted people still holding this paid type (no seat).
    pub deactivated_typed: i64,
}

/// What the plan needs besides the types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInputs {
    pub types: Vec<TypeFigures>,
    /// The account's seats bought in all (`userLimit`), when Wrike gave it.
    pub bought_total: Option<i64>,
    /// The cost of a seat of no entered type, in cents.
    pub seat_cost_cents: i64,
    pub headroom_pct: i64,
}

/// One user type in the plan.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TypeLine {
    pub type_id: Option<String>,
    pub title: String,
    pub cost_cents: i64,
    pub bought: Option<i64>,
    pub assigned: i64,
    /// Held and active within the threshold.
    pub active: i64,
    pub idle: i64,
    pub never_active: i64,
    pub deactivated_typed: i64,
    /// Bought and not held, where the type's bought seats are known.
    pub unassigned: Option<i64>,
    /// Active seats plus the headroom, rounded up.
    pub recommended: i64,
    /// The cheaper paid type idle people of this type could move to, and what moving
    /// them all saves a year.
    pub downgrade_to: Option<String>,
    pub downgrade_saves_cents: i64,
}

/// What one way of cutting spend saves a year.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    /// `drop_unassigned`, `reclaim_idle`, `downgrade_idle` or `together`.
    pub key: &'static str,
    pub title: &'static str,
    pub seats: i64,
    pub saves_cents: i64,
}

/// The plan for one account's renewal.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    pub lines: Vec<TypeLine>,
    /// Seats bought that no type accounts for and nobody holds (type unknown).
    pub unassigned_untyped: i64,
    /// Every seat bought and not held.
    pub unassigned: i64,
    pub bought: Option<i64>,
    pub assigned: i64,
    pub active: i64,
    pub idle: i64,
    pub never_active: i64,
    pub deactivated_typed: i64,
    pub recommended: i64,
    pub headroom_pct: i64,
    /// What the seats bought cost a year now (held ones where bought is not known).
    pub spend_cents: i64,
    /// What the recommended seats cost a year.
    pub recommended_spend_cents: i64,
    /// Each action on its own, then all of them together (renewing the recommended seats).
    pub actions: Vec<Action>,
}

/// `n` plus `pct` percent of it, rounded up.
fn with_headroom(n: i64, pct: i64) -> i64 {
    let n = n.max(0);
    (n * (100 + pct.max(0)) + 99) / 100
}

/// Works out the plan. Types with no paid seat held, bought or idle are left out.
pub fn plan(inputs: &PlanInputs) -> Plan {
    let pct = inputs.headroom_pct.max(0);
    let cheapest_below = |cost: i64, me: &Option<String>| {
        inputs
            .types
            .iter()
            .filter(|t| &t.type_id != me && t.type_id.is_some() && t.cost_cents < cost)
            .min_by_key(|t| (t.cost_cents, t.title.clone()))
    };
    let mut lines = Vec::new();
    for t in &inputs.types {
        if t.assigned == 0 && t.bought.unwrap_or(0) == 0 && t.deactivated_typed == 0 {
            continue;
        }
        let idle = t.idle.clamp(0, t.assigned.max(0));
        let cheaper = cheapest_below(t.cost_cents, &t.type_id);
        lines.push(TypeLine {
            type_id: t.type_id.clone(),
            title: t.title.clone(),
            cost_cents: t.cost_cents,
            bought: t.bought,
            assigned: t.assigned,
            active: t.assigned - idle,
            idle,
            never_active: t.never_active.min(idle),
            deactivated_typed: t.deactivated_typed,
            unassigned: t.bought.map(|b| (b - t.assigned).max(0)),
            recommended: with_headroom(t.assigned - idle, pct),
            downgrade_to: cheaper.map(|c| c.title.clone()),
            downgrade_saves_cents: cheaper.map_or(0, |c| idle * (t.cost_cents - c.cost_cents)),
        });
    }
    // The seats bought that no entered type accounts for, less those held by the types
    // without an entered count.
    let entered: i64 = lines.iter().filter_map(|l| l.bought).sum();
    let held_untyped: i64 = lines
        .iter()
        .filter(|l| l.bought.is_none())
        .map(|l| l.assigned)
        .sum();
    let unassigned_untyped = inputs
        .bought_total
        .map_or(0, |total| (total - entered - held_untyped).max(0));
    let typed_unassigned: i64 = lines.iter().filter_map(|l| l.unassigned).sum();
    let unassigned = typed_unassigned + unassigned_untyped;
    let sum = |f: fn(&TypeLine) -> i64| lines.iter().map(f).sum::<i64>();
    let cost_of = |f: fn(&TypeLine) -> i64| lines.iter().map(|l| f(l) * l.cost_cents).sum::<i64>();
    let bought = match (
        inputs.bought_total,
        lines.iter().all(|l| l.bought.is_some()),
    ) {
        (Some(total), _) => Some(total.max(entered + held_untyped)),
        (None, true) if !lines.is_empty() => Some(entered),
        _ => None,
    };
    let spend_cents =
        cost_of(|l| l.bought.unwrap_or(l.assigned)) + unassigned_untyped * inputs.seat_cost_cents;
    let recommended_spend_cents = cost_of(|l| l.recommended);
    let unassigned_saves =
        cost_of(|l| l.unassigned.unwrap_or(0)) + unassigned_untyped * inputs.seat_cost_cents;
    let actions = vec![
        Action {
            key: "drop_unassigned",
            title: "Drop the seats nobody holds",
            seats: unassigned,
            saves_cents: unassigned_saves,
        },
        Action {
            key: "reclaim_idle",
            title: "Reclaim the idle seats",
            seats: sum(|l| l.idle),
            saves_cents: cost_of(|l| l.idle),
        },
        Action {
            key: "downgrade_idle",
            title: "Move idle people to a cheaper paid type",
            seats: lines
                .iter()
                .filter(|l| l.downgrade_to.is_some())
                .map(|l| l.idle)
                .sum(),
            saves_cents: lines.iter().map(|l| l.downgrade_saves_cents).sum(),
        },
        Action {
            key: "together",
            title: "Renew the recommended seats (drop unassigned, reclaim idle, keep the headroom)",
            seats: (bought.unwrap_or(sum(|l| l.assigned)) - sum(|l| l.recommended)).max(0),
            saves_cents: (spend_cents - recommended_spend_cents).max(0),
        },
    ];
    Plan {
        unassigned_untyped,
        unassigned,
        bought,
        assigned: sum(|l| l.assigned),
        active: sum(|l| l.active),
        idle: sum(|l| l.idle),
        never_active: sum(|l| l.never_active),
        deactivated_typed: sum(|l| l.deactivated_typed),
        recommended: sum(|l| l.recommended),
        headroom_pct: pct,
        spend_cents,
        recommended_spend_cents,
        actions,
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(
        title: &str,
        cost: i64,
        bought: Option<i64>,
        assigned: i64,
        idle: i64,
    ) -> TypeFigures {
        TypeFigures {
            type_id: Some(title.to_lowercase()),
            title: title.to_owned(),
            cost_cents: cost,
            bought,
            assigned,
            idle,
            never_active: idle / 2,
            deactivated_typed: 1,
        }
    }

    #[test]
    fn a_plan_prices_each_action_and_the_recommended_seats() {
        // 100 bought in all; 40 Regular entered as bought, 30 held (10 idle); Light not
        // entered, 20 held (5 idle). The other 60 bought seats hold the 20 Light people
        // and 40 of unknown type nobody holds.
        let plan = plan(&PlanInputs {
            types: vec![
                figures("Regular", 30_000, Some(40), 30, 10),
                figures("Light", 12_000, None, 20, 5),
            ],
            bought_total: Some(100),
            seat_cost_cents: 30_000,
            headroom_pct: 10,
        });
        let regular = &plan.lines[0];
        assert_eq!(regular.active, 20);
        assert_eq!(regular.unassigned, Some(10));
        assert_eq!(regular.recommended, 22, "20 active plus 10 %");
        assert_eq!(regular.downgrade_to.as_deref(), Some("Light"));
        assert_eq!(regular.downgrade_saves_cents, 10 * 18_000);
        let light = &plan.lines[1];
        assert_eq!(light.recommended, 17, "15 plus 10 %, rounded up");
        assert_eq!(light.downgrade_to, None);
        assert_eq!(plan.unassigned_untyped, 40);
        assert_eq!(plan.unassigned, 50);
        assert_eq!(plan.bought, Some(100));
        assert_eq!(plan.spend_cents, 40 * 30_000 + 20 * 12_000 + 40 * 30_000);
        assert_eq!(plan.recommended_spend_cents, 22 * 30_000 + 17 * 12_000);
        let saves: Vec<(&str, i64, i64)> = plan
            .actions
            .iter()
            .map(|a| (a.key, a.seats, a.saves_cents))
            .collect();
        assert_eq!(
            saves,
            [
                ("drop_unassigned", 50, 10 * 30_000 + 40 * 30_000),
                ("reclaim_idle", 15, 10 * 30_000 + 5 * 12_000),
                ("downgrade_idle", 10, 10 * 18_000),
                (
                    "together",
                    100 - 39,
                    plan.spend_cents - plan.recommended_spend_cents
                ),
            ]
        );
    }

    #[test]
    fn without_a_total_the_plan_counts_held_seats_only() {
        let plan = plan(&PlanInputs {
            types: vec![figures("Regular", 30_000, None, 3, 0)],
            bought_total: None,
            seat_cost_cents: 30_000,
            headroom_pct: 0,
        });
        assert_eq!(plan.bought, None);
        assert_eq!(plan.unassigned, 0);
        assert_eq!(plan.recommended, 3);
        assert_eq!(plan.actions[3].saves_cents, 0);
        assert_eq!(with_headroom(0, 25), 0);
        assert_eq!(with_headroom(1, 1), 2, "any headroom of a seat is a seat");
    }
}
