//! Deterministic generated accounts: the same `--seed` gives the same people, work and
//! audit history (dates are relative to the simulated "now").
//!
//! The main account is an Enterprise account in the first data center with months of audit
//! log whose users follow distinct habits (daily, weekly, idle for 30/60/90+ days, never
//! logged in, deactivated, deleted), so seat analytics have something real to find. A second,
//! smaller Business account lives in the second data center (no audit log on that plan).

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use serde_json::json;
use wrike_api::models::*;

use crate::ids;
use crate::world::{AccountData, SimUser};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenSpec {
    pub seed: u64,
    /// People in the main account (at least 5).
    pub users: u32,
    /// Months of audit history.
    pub months: u32,
    /// At least this many tasks in the main account (more people make more on their own).
    pub min_tasks: u32,
    pub now: DateTime<Utc>,
}

/// The habit that shapes a generated user's audit history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Habit {
    Daily,
    Weekly,
    /// Active until this many days ago, then silent.
    IdleSince(i64),
    Never,
    DeactivatedSince(i64),
    DeletedSince(i64),
}

const FIRST: &[&str] = &[
    "Ada", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas",
    "Keiko", "Liam", "Maya", "Nikolai", "Olga", "Pavel", "Quinn", "Rosa", "Sanjay", "Tara", "Umar",
    "Vera", "Wen", "Ximena", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Andersen",
    "Baker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quist",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Xu",
    "Young",
    "Zielinski",
];
const ZONES: &[&str] = &[
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "US/Pacific",
    "Asia/Tokyo",
    "America/Chicago",
    "Australia/Sydney",
];
const TITLES: &[&str] = &[
    "Project Manager",
    "Designer",
    "Engineer",
    "Analyst",
    "Marketing Lead",
    "Account Manager",
    "Producer",
    "QA Engineer",
];
const PARTNERS: &[(&str, &str)] = &[
    ("Bright Agency", "bright-agency.example"),
    ("Northwind Consulting", "northwind.example"),
    ("Pixel Works", "pixelworks.example"),
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15",
    "Wrike/4.8 (iPhone; iOS 18.1)",
    "Wrike/4.8 (Android 15)",
];

/// Builds both accounts.
pub fn generate(spec: &GenSpec) -> Vec<AccountData> {
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let main = build_account(
        &mut rng,
        spec,
        16 + spec.seed % 1000,
        "Acme Robotics",
        "acme.example",
        Plan::Enterprise,
        0,
        spec.users.max(5),
        true,
    );
    let eu = build_account(
        &mut rng,
        spec,
        2048 + spec.seed % 1000,
        "Nordlicht GmbH",
        "nordlicht.example",
        Plan::Business,
        1,
        8,
        false,
    );
    vec![main, eu]
}

#[allow(clippy::too_many_arguments)]
fn build_account(
    rng: &mut fastrand::Rng,
    spec: &GenSpec,
    number: u64,
    name: &str,
    domain: &str,
    plan: Plan,
    data_center: usize,
    people: u32,
    with_audit: bool,
) -> AccountData {
    let id = ids::account(number);
    let now = spec.now;
    let window_start = now - Duration::days(30 * spec.months as i64);
    let created = window_start - Duration::days(400);
    let root = format!("{id}I7777777");
    let bin = format!("{id}I7777776");
    let user_types = vec![
        UserType {
            id: format!("{id}NH777777"),
            title: "Regular User".into(),
            description: None,
            license_type: Some("Regular".into()),
        },
        UserType {
            id: format!("{id}NH777776"),
            title: "External User".into(),
            description: None,
            license_type: Some("External".into()),
        },
        UserType {
            id: format!("{id}NH777775"),
            title: "Light User".into(),
            description: None,
            license_type: Some("Light".into()),
        },
        UserType {
            id: format!("{id}NH777774"),
            title: "Collaborator".into(),
            description: None,
            license_type: Some("Collaborator".into()),
        },
    ];
    let mut account = AccountData {
        account: Account {
            id: id.clone(),
            name: name.into(),
            date_format: Some("MM/dd/yyyy".into()),
            first_day_of_week: Some("Mon".into()),
            work_days: Some(vec![
                "Mon".into(),
                "Tue".into(),
                "Wed".into(),
                "Thu".into(),
                "Fri".into(),
            ]),
            root_folder_id: Some(root.clone()),
            recycle_bin_id: Some(bin.clone()),
            created_date: Some(created),
            joined_date: Some(created),
            subscription: None,
            metadata: None,
            custom_fields: None,
        },
        plan,
        user_limit: 0,
        data_center,
        users: Vec::new(),
        groups: Vec::new(),
        user_types,
        invitations: Vec::new(),
        access_roles: [
            "Full:Can edit",
            "Editor:Can edit, but can't share or delete",
            "Limited:Can comment, change statuses, attach files, and start approvals",
            "Read Only:Can view",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let (title, description) = t.split_once(':').expect("title:description");
            AccessRole {
                id: format!("{id}ND77777{}", 7 - i),
                title: title.into(),
                description: Some(description.into()),
            }
        })
        .collect(),
        spaces: Vec::new(),
        folders: Vec::new(),
        tasks: Vec::new(),
        workflows: Vec::new(),
        custom_fields: Vec::new(),
        comments: Vec::new(),
        timelogs: Vec::new(),
        timelog_categories: ["Development", "Meetings", "Support", "Travel (retired)"]
            .iter()
            .enumerate()
            .map(|(i, name)| TimelogCategory {
                id: ids::entity(&id, "OQ", i as u64 + 1),
                name: (*name).to_owned(),
                order: Some(i as i64),
                hidden: name.ends_with("(retired)"),
            })
            .collect(),
        dependencies: Vec::new(),
        approvals: Vec::new(),
        attachments: Vec::new(),
        attachment_bytes: Default::default(),
        webhooks: Vec::new(),
        async_jobs: Vec::new(),
        blueprint_folders: Vec::new(),
        blueprint_tasks: Vec::new(),
        custom_item_types: Vec::new(),
        attachment_links: Vec::new(),
        audit: Vec::new(),
        next_seq: 0,
    };

    let habits = make_people(rng, &mut account, number, domain, people);
    account.user_limit = (people as f64 * 1.15).ceil() as u32 + 2;
    make_workflows_and_fields(&mut account);
    let min_tasks = if with_audit { spec.min_tasks } else { 0 };
    make_work(
        rng,
        &mut account,
        &habits,
        window_start,
        now,
        people,
        min_tasks,
    );
    make_groups_and_invitations(rng, &mut account, domain, now);
    make_templates(&mut account, window_start);
    if with_audit {
        make_audit(rng, &mut account, &habits, window_start, now);
    }
    account.next_seq = 1_000_000;
    account
}

/// The people of an account with their habits, to choose who did a piece of work at a
/// given moment: work is only ever authored by someone who was active then, so activity
/// from work data agrees with the audit log.
struct Actors {
    ids: Vec<String>,
    habits: Vec<Habit>,
    now: DateTime<Utc>,
}

impl Actors {
    fn pick_at(&self, rng: &mut fastrand::Rng, at: DateTime<Utc>) -> String {
        for _ in 0..32 {
            let i = rng.usize(..self.ids.len());
            if self.habits[i].active_at(at, self.now) {
                return self.ids[i].clone();
            }
        }
        // The owner works every day.
        self.ids[0].clone()
    }
}

impl Habit {
    /// Whether someone with this habit could have done something at `at`.
    pub fn active_at(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        match self {
            Habit::Daily | Habit::Weekly => true,
            Habit::Never => false,
            Habit::IdleSince(d) | Habit::DeactivatedSince(d) | Habit::DeletedSince(d) => {
                at < now - Duration::days(*d)
            }
        }
    }
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(..items.len())]
}

fn make_people(
    rng: &mut fastrand::Rng,
    account: &mut AccountData,
    number: u64,
    domain: &str,
    people: u32,
) -> Vec<Habit> {
    let id = account.id().to_owned();
    let mut habits = Vec::new();
    for i in 0..people as u64 {
        let first = FIRST[(i as usize * 7 + number as usize) % FIRST.len()];
        let last = LAST[(i as usize * 11 + number as usize / 3) % LAST.len()];
        let (mut role, mut external, mut admin, owner) = (Role::User, false, false, i == 0);
        let mut company = None;
        let mut email = format!(
            "{}.{}{}@{domain}",
            first.to_lowercase(),
            last.to_lowercase(),
            if i >= 26 {
                i.to_string()
            } else {
                String::new()
            }
        );
        let (first_name, last_name) = match i {
            3 => ("Wrike".to_owned(), "Integration".to_owned()),
            _ => (first.to_owned(), last.to_owned()),
        };
        if i == 3 {
            email = format!("wrike-integration@{domain}");
        }
        if i == 1 || i == 2 || i == 3 {
            admin = true;
        }
        let habit = match i {
            0..=1 | 3 => Habit::Daily,
            2 => Habit::Weekly,
            _ => {
                let roll = rng.u32(..100);
                match roll {
                    0..=39 => Habit::Daily,
                    40..=57 => Habit::Weekly,
                    58..=65 => Habit::IdleSince(rng.i64(30..60)),
                    66..=73 => Habit::IdleSince(rng.i64(60..90)),
                    74..=81 => Habit::IdleSince(rng.i64(90..170)),
                    82..=87 => Habit::Never,
                    88..=94 => Habit::DeactivatedSince(rng.i64(15..120)),
                    _ => Habit::DeletedSince(rng.i64(20..140)),
                }
            }
        };
        if i >= 4 {
            match rng.u32(..100) {
                0..=11 => {
                    external = true;
                    let (partner, partner_domain) = *pick(rng, PARTNERS);
                    company = Some(partner.to_owned());
                    email = format!(
                        "{}.{}{i}@{partner_domain}",
                        first.to_lowercase(),
                        last.to_lowercase()
                    );
                }
                12..=23 => {
                    role = Role::Collaborator;
                    let (partner, partner_domain) = *pick(rng, PARTNERS);
                    company = Some(partner.to_owned());
                    email = format!(
                        "{}.{}{i}@{partner_domain}",
                        first.to_lowercase(),
                        last.to_lowercase()
                    );
                }
                _ => {}
            }
        }
        let user_type = if role == Role::Collaborator {
            3
        } else if external {
            1
        } else if i >= 4 && rng.u32(..100) < 10 {
            2
        } else {
            0
        };
        let active = !matches!(habit, Habit::DeactivatedSince(_) | Habit::DeletedSince(_));
        let deleted = matches!(habit, Habit::DeletedSince(_));
        let contact = Contact {
            id: ids::person(number * 1000 + i + 16),
            first_name,
            last_name,
            contact_type: ContactType::Person,
            profiles: vec![Profile {
                account_id: id.clone(),
                email: Some(email.clone()),
                role,
                external,
                admin,
                owner,
                active: Some(active),
            }],
            avatar_url: Some(format!(
                "https://www.wrike.com/avatars/{:02X}/{:02X}/Box_ff{:06x}_{}-{}_v1.png",
                i % 256,
                number % 256,
                rng.u32(..0xFFFFFF),
                first.as_bytes()[0],
                last.as_bytes()[0]
            )),
            timezone: Some(pick(rng, ZONES).to_string()),
            locale: Some("en".into()),
            deleted,
            me: None,
            member_ids: None,
            metadata: Some(Vec::new()),
            my_team: None,
            title: Some(if i == 3 {
                "Service account".to_owned()
            } else {
                pick(rng, TITLES).to_string()
            }),
            company_name: company.or_else(|| Some(account.account.name.clone())),
            phone: None,
            location: None,
            work_schedule_id: None,
            primary_email: Some(email),
            user_type_id: Some(account.user_types[user_type].id.clone()),
            job_role_id: None,
            current_bill_rate: None,
            current_cost_rate: None,
        };
        account.users.push(SimUser {
            contact,
            password: format!("pw-{}-{i}", number),
            activity_reports: i == 0 || i == 1 || i == 3,
        });
        habits.push(habit);
    }
    habits
}

fn status(
    id: &str,
    n: u64,
    name: &str,
    color: &str,
    group: TaskStatus,
    standard: bool,
) -> CustomStatus {
    CustomStatus {
        id: ids::entity(id, "JM", n),
        name: name.into(),
        standard_name: standard,
        color: Some(color.into()),
        standard,
        group,
        hidden: false,
    }
}

fn make_workflows_and_fields(account: &mut AccountData) {
    let id = account.id().to_owned();
    account.workflows = vec![
        Workflow {
            id: format!("{id}K777777Q"),
            name: "Default Workflow".into(),
            standard: true,
            hidden: false,
            custom_statuses: vec![
                status(&id, 0, "New", "Blue", TaskStatus::Active, true),
                status(
                    &id,
                    10,
                    "In Progress",
                    "Turquoise",
                    TaskStatus::Active,
                    false,
                ),
                status(&id, 1, "Completed", "Green", TaskStatus::Completed, true),
                status(&id, 2, "On Hold", "Gray", TaskStatus::Deferred, true),
                status(&id, 3, "Cancelled", "Red", TaskStatus::Cancelled, true),
            ],
        },
        Workflow {
            id: ids::entity(&id, "K4", 140),
            name: "Creative Requests".into(),
            standard: false,
            hidden: false,
            custom_statuses: vec![
                status(&id, 140, "Requested", "Yellow", TaskStatus::Active, false),
                status(&id, 150, "In Review", "Indigo", TaskStatus::Active, false),
                status(&id, 141, "Approved", "Green", TaskStatus::Completed, false),
                status(&id, 142, "Rejected", "Red", TaskStatus::Cancelled, false),
            ],
        },
    ];
    account.custom_fields = vec![
        CustomField {
            id: ids::entity(&id, "JU", 15),
            account_id: Some(id.clone()),
            title: "Cost Center".into(),
            field_type: CustomFieldType::DropDown,
            shared_ids: vec![],
            space_id: None,
            settings: Some(
                json!({"inheritanceType": "All", "values": ["R&D", "Marketing", "Operations"], "allowOtherValues": false}),
            ),
        },
        CustomField {
            id: ids::entity(&id, "JU", 16),
            account_id: Some(id.clone()),
            title: "Estimate (h)".into(),
            field_type: CustomFieldType::Numeric,
            shared_ids: vec![],
            space_id: None,
            settings: Some(
                json!({"inheritanceType": "All", "decimalPlaces": 1, "aggregation": "Sum"}),
            ),
        },
        CustomField {
            id: ids::entity(&id, "JU", 17),
            account_id: Some(id.clone()),
            title: "Client".into(),
            field_type: CustomFieldType::Text,
            shared_ids: vec![],
            space_id: None,
            settings: Some(json!({"inheritanceType": "All"})),
        },
    ];
}

fn folder(
    account: &AccountData,
    id: String,
    title: &str,
    parent: &str,
    created: DateTime<Utc>,
    project: Option<Project>,
    space: bool,
) -> Folder {
    // Permalinks carry a decimal id unrelated to the v4 id, as on real Wrike.
    let number = id
        .bytes()
        .fold(0u64, |acc, b| (acc * 31 + b as u64) % 100_000_000);
    Folder {
        id,
        account_id: Some(account.id().to_owned()),
        title: title.into(),
        created_date: Some(created),
        updated_date: Some(created),
        brief_description: Some(String::new()),
        description: Some(String::new()),
        color: Some("None".into()),
        shared_ids: vec![account.owner().id().to_owned()],
        parent_ids: vec![parent.to_owned()],
        child_ids: Vec::new(),
        super_parent_ids: Vec::new(),
        scope: TreeScope::WsFolder,
        has_attachments: Some(false),
        attachment_count: None,
        permalink: Some(format!(
            "https://www.wrike.com/open.htm?id={}",
            400_000_000 + number
        )),
        workflow_id: account.workflows.first().map(|w| w.id.clone()),
        metadata: Some(Vec::new()),
        custom_fields: Some(Vec::new()),
        custom_column_ids: None,
        project,
        space: if space { Some(true) } else { None },
        custom_item_type_id: None,
    }
}

fn make_work(
    rng: &mut fastrand::Rng,
    account: &mut AccountData,
    habits: &[Habit],
    window_start: DateTime<Utc>,
    now: DateTime<Utc>,
    people: u32,
    min_tasks: u32,
) {
    let id = account.id().to_owned();
    let root = account.root_id();
    let bin = account.recycle_bin_id();
    let created = account.account.created_date.unwrap_or(window_start);
    let mut root_folder = folder(account, root.clone(), "Root", "", created, None, false);
    root_folder.parent_ids.clear();
    root_folder.scope = TreeScope::WsRoot;
    let mut bin_folder = folder(
        account,
        bin.clone(),
        "Recycle Bin",
        "",
        created,
        None,
        false,
    );
    bin_folder.parent_ids.clear();
    bin_folder.scope = TreeScope::RbRoot;
    account.folders.push(root_folder);
    account.folders.push(bin_folder);

    let layout: &[(&str, &[(&str, bool)])] = &[
        (
            "Marketing",
            &[
                ("Campaigns", false),
                ("Q4 Launch", true),
                ("Brand Assets", false),
            ],
        ),
        (
            "Engineering",
            &[("Platform", true), ("Bugs", false), ("Roadmap", false)],
        ),
        (
            "Operations",
            &[("IT Requests", false), ("Vendor Renewals", true)],
        ),
    ];
    let owner = account.owner().id().to_owned();
    let person_ids: Vec<String> = account
        .users
        .iter()
        .filter(|u| u.is_active())
        .map(|u| u.id().to_owned())
        .collect();
    let actors = Actors {
        ids: account.users.iter().map(|u| u.id().to_owned()).collect(),
        habits: habits.to_vec(),
        now,
    };
    let mut folder_n = 100u64;
    let mut task_n = 100u64;
    // Eight folders hold the tasks.
    let tasks_per_folder = (people as u64 * 2 / 8)
        .clamp(6, 250)
        .max((min_tasks as u64).div_ceil(8));
    for (space_title, children) in layout {
        folder_n += 1;
        let space_id = ids::entity(&id, "I4", folder_n);
        account.spaces.push(Space {
            id: space_id.clone(),
            title: space_title.to_string(),
            avatar_url: Some(format!(
                "https://www.wrike.com/static/spaceicons2/v3/6/6-{}.png",
                space_title.to_lowercase()
            )),
            access_type: AccessType::Public,
            archived: false,
            description: None,
            // Whoever made the space manages it with full access, as Wrike makes its
            // creator; everyone else reaches a public space without being a member.
            members: Some(vec![SpaceMember {
                id: owner.clone(),
                access_role_id: account.access_roles.first().map(|r| r.id.clone()),
                is_manager: true,
            }]),
            guest_role_id: None,
            default_project_workflow_id: account.workflows.first().map(|w| w.id.clone()),
            default_task_workflow_id: account.workflows.first().map(|w| w.id.clone()),
        });
        let space_folder = folder(
            account,
            space_id.clone(),
            space_title,
            &root,
            created,
            None,
            true,
        );
        account.folders.push(space_folder);
        account
            .folder_mut(&root)
            .expect("root")
            .child_ids
            .push(space_id.clone());
        for (title, is_project) in children.iter() {
            folder_n += 1;
            let fid = ids::entity(&id, "I4", folder_n);
            let start = window_start + Duration::days(rng.i64(0..60));
            let (status, status_n) = pick(
                rng,
                &[
                    (ProjectStatus::Green, 900),
                    (ProjectStatus::Yellow, 901),
                    (ProjectStatus::Red, 902),
                ],
            )
            .clone();
            let project = is_project.then(|| Project {
                author_id: Some(owner.clone()),
                owner_ids: vec![pick(rng, &person_ids).clone()],
                status: Some(status),
                custom_status_id: Some(ids::entity(&id, "JM", status_n)),
                start_date: Some(start.date_naive()),
                end_date: Some((start + Duration::days(rng.i64(30..200))).date_naive()),
                created_date: Some(start),
                completed_date: None,
                contract_type: None,
            });
            let mut f = folder(
                account,
                fid.clone(),
                title,
                &space_id,
                start,
                project,
                false,
            );
            f.super_parent_ids = vec![];
            account.folders.push(f);
            account
                .folder_mut(&space_id)
                .expect("space")
                .child_ids
                .push(fid.clone());
            for _ in 0..tasks_per_folder {
                task_n += 1;
                let task = make_task(
                    rng,
                    account,
                    &fid,
                    task_n,
                    window_start,
                    now,
                    &person_ids,
                    &actors,
                );
                account.tasks.push(task);
            }
        }
    }
    // Comments, timelogs and attachments on some tasks.
    let task_ids: Vec<(String, DateTime<Utc>)> = account
        .tasks
        .iter()
        .map(|t| (t.id.clone(), t.created_date))
        .collect();
    let mut seq = 100u64;
    for (task_id, task_created) in &task_ids {
        let span = (now - *task_created).num_seconds().max(3600);
        if rng.u32(..100) < 35 {
            for _ in 0..rng.u32(1..4) {
                seq += 1;
                let at = *task_created + Duration::seconds(rng.i64(0..span));
                account.comments.push(Comment {
                    id: ids::entity(&id, "IM", seq),
                    author_id: actors.pick_at(rng, at),
                    text: pick(
                        rng,
                        &[
                            "Looks good to me.",
                            "Can we move this to next week?",
                            "Updated the draft.",
                            "Blocked on review.",
                            "Done, please check.",
                        ],
                    )
                    .to_string(),
                    created_date: at,
                    updated_date: Some(at),
                    task_id: Some(task_id.clone()),
                    folder_id: None,
                });
            }
        }
        if rng.u32(..100) < 20 {
            seq += 1;
            let at = *task_created + Duration::seconds(rng.i64(0..span));
            account.timelogs.push(Timelog {
                id: ids::entity(&id, "JQ", seq),
                task_id: task_id.clone(),
                user_id: actors.pick_at(rng, at),
                category_id: None,
                billing_type: None,
                hours: (rng.u32(1..16) as f64) / 2.0,
                created_date: at,
                updated_date: at,
                tracked_date: at.date_naive(),
                comment: "Work".into(),
            });
        }
        if rng.u32(..100) < 10 {
            seq += 1;
            let at = *task_created + Duration::seconds(rng.i64(0..span));
            account.attachments.push(Attachment {
                id: ids::entity(&id, "IY", seq),
                author_id: actors.pick_at(rng, at),
                name: pick(
                    rng,
                    &["brief.pdf", "mockup.png", "notes.docx", "budget.xlsx"],
                )
                .to_string(),
                created_date: at,
                version: Some("1".into()),
                attachment_type: Some("Wrike".into()),
                content_type: Some("application/octet-stream".into()),
                size: Some(rng.i64(1_000..5_000_000)),
                task_id: Some(task_id.clone()),
                folder_id: None,
                comment_id: None,
                current_attachment_id: None,
                url: None,
            });
            if let Some(task) = account.task_mut(task_id) {
                task.has_attachments = Some(true);
                task.attachment_count = Some(task.attachment_count.unwrap_or(0) + 1);
            }
        }
    }
}

const TASK_WORDS: &[&str] = &[
    "Draft", "Review", "Update", "Plan", "Fix", "Design", "Publish", "Audit", "Migrate", "Prepare",
];
const TASK_THINGS: &[&str] = &[
    "landing page",
    "release notes",
    "budget",
    "onboarding flow",
    "vendor contract",
    "API docs",
    "Q1 roadmap",
    "laptop refresh",
    "press kit",
    "login bug",
];

#[allow(clippy::too_many_arguments)]
fn make_task(
    rng: &mut fastrand::Rng,
    account: &AccountData,
    folder_id: &str,
    n: u64,
    window_start: DateTime<Utc>,
    now: DateTime<Utc>,
    people: &[String],
    actors: &Actors,
) -> Task {
    let id = account.id();
    let span = (now - window_start).num_seconds().max(1);
    let created = window_start + Duration::seconds(rng.i64(0..span));
    let updated = created + Duration::seconds(rng.i64(0..(now - created).num_seconds().max(1)));
    let group = match rng.u32(..100) {
        0..=54 => TaskStatus::Active,
        55..=84 => TaskStatus::Completed,
        85..=92 => TaskStatus::Deferred,
        _ => TaskStatus::Cancelled,
    };
    let custom_status = if group == TaskStatus::Active && rng.bool() {
        account.workflows[0].custom_statuses[1].id.clone()
    } else {
        account.status_for_group(&group).unwrap_or_default()
    };
    let dates = match rng.u32(..10) {
        0..=2 => TaskDates {
            date_type: DateType::Backlog,
            ..Default::default()
        },
        3 => {
            let due = (created + Duration::days(rng.i64(1..60))).date_naive();
            TaskDates {
                date_type: DateType::Milestone,
                duration: None,
                start: None,
                due: Some(format!("{due}T17:00:00")),
                work_on_weekends: Some(false),
            }
        }
        _ => {
            let start = created.date_naive() + Duration::days(rng.i64(0..10));
            let days = rng.i64(1..15);
            let due = start + Duration::days(days);
            TaskDates {
                date_type: DateType::Planned,
                duration: Some(480 * days as u64),
                start: Some(format!("{start}T09:00:00")),
                due: Some(format!("{due}T17:00:00")),
                work_on_weekends: Some(false),
            }
        }
    };
    let title = format!("{} {}", pick(rng, TASK_WORDS), pick(rng, TASK_THINGS));
    let author = actors.pick_at(rng, created);
    let responsible: Vec<String> = (0..rng.usize(0..3))
        .map(|_| pick(rng, people).clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let account_folder = account.folder(folder_id);
    Task {
        id: ids::entity(id, "KQ", n),
        account_id: Some(id.to_owned()),
        title,
        description: Some(String::new()),
        brief_description: Some(String::new()),
        parent_ids: Some(vec![folder_id.to_owned()]),
        super_parent_ids: Some(
            account_folder
                .map(|f| f.parent_ids.clone())
                .unwrap_or_default(),
        ),
        shared_ids: Some(vec![author.clone()]),
        responsible_ids: Some(responsible),
        completed_date: (group == TaskStatus::Completed).then_some(updated),
        status: group,
        importance: pick(
            rng,
            &[
                Importance::High,
                Importance::Normal,
                Importance::Normal,
                Importance::Low,
            ],
        )
        .clone(),
        created_date: created,
        updated_date: updated,
        dates,
        scope: TreeScope::WsTask,
        author_ids: Some(vec![author.clone()]),
        custom_status_id: Some(custom_status),
        has_attachments: Some(false),
        attachment_count: Some(0),
        permalink: Some(format!(
            "https://www.wrike.com/open.htm?id={}",
            900_000_000 + n
        )),
        priority: Some(format!("{:024x}", 0x8000_0000u64 + n * 0x100)),
        followed_by_me: None,
        follower_ids: Some(vec![author]),
        recurrent: Some(false),
        super_task_ids: Some(Vec::new()),
        sub_task_ids: Some(Vec::new()),
        dependency_ids: Some(Vec::new()),
        metadata: Some(Vec::new()),
        custom_fields: Some(if rng.bool() {
            vec![CustomFieldValue {
                id: account.custom_fields[0].id.clone(),
                value: Some(pick(rng, &["R&D", "Marketing", "Operations"]).to_string()),
            }]
        } else {
            Vec::new()
        }),
        billing_type: Some("None".into()),
        effort_allocation: Some(json!({"mode": "None"})),
        custom_item_type_id: None,
    }
}

fn make_groups_and_invitations(
    rng: &mut fastrand::Rng,
    account: &mut AccountData,
    domain: &str,
    now: DateTime<Utc>,
) {
    let id = account.id().to_owned();
    let persons: Vec<String> = account
        .users
        .iter()
        .filter(|u| !u.contact.deleted)
        .map(|u| u.id().to_owned())
        .collect();
    let number = account.account.id.len() as u64 + account.data_center as u64 * 100;
    let mut groups = vec![Group {
        id: ids::group(number * 10 + 1),
        account_id: Some(id.clone()),
        title: "My Team".into(),
        member_ids: persons.clone(),
        child_ids: vec![],
        parent_ids: vec![],
        avatar_url: Some("/D5/E6/Circle_ffc5cbd9_77-84_v1.png".into()),
        my_team: Some(true),
        metadata: None,
    }];
    for (i, title) in ["Engineering", "Marketing", "Operations"]
        .iter()
        .enumerate()
    {
        let members: Vec<String> = persons
            .iter()
            .filter(|_| rng.u32(..3) == 0)
            .cloned()
            .collect();
        groups.push(Group {
            id: ids::group(number * 10 + 2 + i as u64),
            account_id: Some(id.clone()),
            title: title.to_string(),
            member_ids: members,
            child_ids: vec![],
            parent_ids: vec![],
            avatar_url: Some("/4C/D1/Circle_fff48fb1_84-80_v1.png".into()),
            my_team: None,
            metadata: None,
        });
    }
    account.groups = groups;
    let owner = account.owner().id().to_owned();
    for (i, (email, status)) in [
        ("new.hire@", InvitationStatus::Pending),
        ("contractor@", InvitationStatus::Pending),
        ("joined@", InvitationStatus::Accepted),
    ]
    .iter()
    .enumerate()
    {
        let sent = now - Duration::days(3 + i as i64 * 9);
        account.invitations.push(Invitation {
            id: ids::entity(&id, "IV", 10 + i as u64),
            account_id: Some(id.clone()),
            first_name: None,
            last_name: None,
            email: format!("{email}{domain}"),
            status: status.clone(),
            inviter_user_id: Some(owner.clone()),
            invitation_date: Some(sent),
            resolved_date: (*status == InvitationStatus::Accepted)
                .then_some(sent + Duration::days(1)),
            role: Role::User,
            external: false,
            user_type_id: Some(account.user_types[0].id.clone()),
        });
    }
}

const CHANGE_OPS: &[(AuditOperation, u32)] = &[
    (AuditOperation::TaskStatusChanged, 30),
    (AuditOperation::TaskCommentChanged, 20),
    (AuditOperation::TaskAssigned, 15),
    (AuditOperation::AttachUploaded, 10),
    (AuditOperation::TaskParentAdded, 8),
    (AuditOperation::TaskShared, 7),
    (AuditOperation::TaskUnassigned, 5),
    (AuditOperation::TaskDeleted, 5),
];

fn weighted_op(rng: &mut fastrand::Rng) -> AuditOperation {
    let mut roll = rng.u32(..100);
    for (op, weight) in CHANGE_OPS {
        if roll < *weight {
            return op.clone();
        }
        roll -= weight;
    }
    AuditOperation::TaskStatusChanged
}

/// The audit record builder every generated and simulated event goes through.
#[allow(clippy::too_many_arguments)]
pub fn audit_record(
    account: &str,
    seq: u64,
    operation: AuditOperation,
    user: &SimUser,
    at: DateTime<Utc>,
    ip: &str,
    object: Option<(AuditObjectType, &str, &str)>,
    details: serde_json::Map<String, serde_json::Value>,
) -> AuditRecord {
    AuditRecord {
        id: ids::audit_record(account, seq),
        operation,
        user_id: Some(user.id().to_owned()),
        user_email: Some(user.email()),
        event_date: at,
        ip_address: Some(ip.to_owned()),
        object_type: object.as_ref().map(|o| o.0.clone()),
        object_name: object.as_ref().map(|o| o.1.to_owned()),
        object_id: object.as_ref().map(|o| o.2.to_owned()),
        details,
    }
}

fn details(pairs: &[(&str, &str)]) -> serde_json::Map<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect()
}

fn make_audit(
    rng: &mut fastrand::Rng,
    account: &mut AccountData,
    habits: &[Habit],
    window_start: DateTime<Utc>,
    now: DateTime<Utc>,
) {
    let id = account.id().to_owned();
    let tasks: Vec<(String, String)> = account
        .tasks
        .iter()
        .map(|t| (t.id.clone(), t.title.clone()))
        .collect();
    let owner = account.owner().clone();
    let mut records = Vec::new();
    let mut seq = 0u64;
    let days = (now - window_start).num_days();
    for (user, habit) in account.users.iter().zip(habits) {
        let ip = format!(
            "{}.{}.{}",
            pick(rng, &["198.51.100", "203.0.113", "192.0.2"]),
            rng.u8(1..255),
            ""
        );
        let ip = ip.trim_end_matches('.').to_owned();
        let collaborator = user.profile().role == Role::Collaborator;
        let (stop_days_ago, end_event) = match habit {
            Habit::Never => continue,
            Habit::IdleSince(d) => (*d, None),
            Habit::DeactivatedSince(d) => (*d, Some(AuditOperation::UserDeactivated)),
            Habit::DeletedSince(d) => (*d, Some(AuditOperation::UserDeleted)),
            Habit::Daily | Habit::Weekly => (0, None),
        };
        let daily = matches!(habit, Habit::Daily)
            || (matches!(
                habit,
                Habit::IdleSince(_) | Habit::DeactivatedSince(_) | Habit::DeletedSince(_)
            ) && rng.bool());
        let stop = now - Duration::days(stop_days_ago);
        for day in 0..=days {
            let date = (window_start + Duration::days(day)).date_naive();
            let day_start = date.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
            if day_start >= stop || day_start > now {
                break;
            }
            let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            let p = match (daily, weekend) {
                (true, false) => 85,
                (true, true) => 8,
                (false, false) => 22,
                (false, true) => 2,
            };
            if rng.u32(..100) >= p {
                continue;
            }
            let mut at = day_start + Duration::minutes(rng.i64(7 * 60..10 * 60));
            if at >= now {
                break;
            }
            let agent = pick(rng, AGENTS).to_string();
            if rng.u32(..100) < 4 {
                seq += 1;
                records.push(audit_record(
                    &id,
                    seq,
                    AuditOperation::UserFailLogin,
                    user,
                    at - Duration::seconds(40),
                    &ip,
                    Some((AuditObjectType::User, &user.email(), user.id())),
                    details(&[("Login Type", "Password"), ("User Agent", &agent)]),
                ));
            }
            seq += 1;
            let login_type = if user.id() == account.users[3].id() {
                "Oauth2"
            } else {
                pick(rng, &["Password", "Password", "SSO"])
            };
            records.push(audit_record(
                &id,
                seq,
                AuditOperation::UserLoggedIn,
                user,
                at,
                &ip,
                Some((AuditObjectType::User, &user.email(), user.id())),
                details(&[("Login Type", login_type), ("User Agent", &agent)]),
            ));
            let changes = if collaborator {
                rng.u32(0..2)
            } else if daily {
                rng.u32(0..9)
            } else {
                rng.u32(0..4)
            };
            for _ in 0..changes {
                at += Duration::seconds(rng.i64(60..2400));
                if at >= now || at >= stop {
                    break;
                }
                let op = if collaborator {
                    AuditOperation::TaskCommentChanged
                } else {
                    weighted_op(rng)
                };
                let (task_id, task_title) = pick(rng, &tasks);
                let extra = match op {
                    AuditOperation::TaskStatusChanged => details(&[
                        ("Old Status", "New"),
                        (
                            "New Status",
                            *pick(rng, &["In Progress", "Completed", "On Hold"]),
                        ),
                    ]),
                    AuditOperation::TaskAssigned | AuditOperation::TaskUnassigned => {
                        details(&[("Assignee", &pick(rng, &account.users).email())])
                    }
                    _ => serde_json::Map::new(),
                };
                seq += 1;
                records.push(audit_record(
                    &id,
                    seq,
                    op,
                    user,
                    at,
                    &ip,
                    Some((AuditObjectType::Task, task_title, task_id)),
                    extra,
                ));
            }
            if rng.u32(..100) < 30 {
                seq += 1;
                let out = at + Duration::seconds(rng.i64(600..3 * 3600));
                if out < now && out < stop {
                    records.push(audit_record(
                        &id,
                        seq,
                        AuditOperation::UserLogout,
                        user,
                        out,
                        &ip,
                        Some((AuditObjectType::User, &user.email(), user.id())),
                        serde_json::Map::new(),
                    ));
                }
            }
        }
        // Light and External users were moved to their type by an admin at some point.
        let regular = account.user_types.first().map(|t| t.id.as_str());
        if let Some(type_id) = user.contact.user_type_id.as_deref()
            && Some(type_id) != regular
            && days > 1
        {
            seq += 1;
            let at = window_start + Duration::minutes(rng.i64(60..days * 24 * 60));
            let name = format!("{} {}", user.contact.first_name, user.contact.last_name);
            records.push(audit_record(
                &id,
                seq,
                AuditOperation::UserRoleChanged,
                &owner,
                at,
                "198.51.100.7",
                Some((AuditObjectType::User, &name, user.id())),
                details(&[
                    ("User Role", user.profile().role.as_str()),
                    ("User Type Id", type_id),
                ]),
            ));
        }
        if let Some(op) = end_event {
            seq += 1;
            let at = stop + Duration::hours(rng.i64(1..8));
            if at < now && at > window_start {
                let name = format!("{} {}", user.contact.first_name, user.contact.last_name);
                records.push(audit_record(
                    &id,
                    seq,
                    op,
                    &owner,
                    at,
                    "198.51.100.7",
                    Some((AuditObjectType::User, &name, user.id())),
                    serde_json::Map::new(),
                ));
            }
        }
    }
    records.sort_by(|a, b| (a.event_date, &a.id).cmp(&(b.event_date, &b.id)));
    account.audit = records;
}

/// Folder and task blueprints and custom item types: the templates an account keeps apart
/// from its workspace, for `launch_async` and `instantiate` to make work from.
fn make_templates(account: &mut AccountData, created: DateTime<Utc>) {
    let id = account.id().to_owned();
    let owner = account.owner().id().to_owned();
    let blueprint_folder = |n: u64, title: &str, parents: Vec<String>, children: Vec<String>| {
        let mut f = folder(
            account,
            ids::entity(&id, "BF", n),
            title,
            "",
            created,
            None,
            false,
        );
        f.parent_ids = parents;
        f.child_ids = children;
        f.scope = TreeScope::BpFolder;
        f.description = Some(format!("Blueprint: {title}"));
        f
    };
    let onboarding = ids::entity(&id, "BF", 1);
    let kickoff = ids::entity(&id, "BF", 2);
    let delivery = ids::entity(&id, "BF", 3);
    let folders = vec![
        blueprint_folder(
            1,
            "Client onboarding",
            Vec::new(),
            vec![kickoff.clone(), delivery.clone()],
        ),
        blueprint_folder(2, "Kick-off", vec![onboarding.clone()], Vec::new()),
        blueprint_folder(3, "Delivery", vec![onboarding.clone()], Vec::new()),
    ];
    let blueprint_task =
        |n: u64, title: &str, parents: &[&String], super_task: Option<String>| Task {
            id: ids::entity(&id, "BT", n),
            account_id: Some(id.clone()),
            title: title.into(),
            description: Some(format!("Steps for {title}")),
            brief_description: Some(format!("Steps for {title}")),
            parent_ids: Some(parents.iter().map(|p| (*p).clone()).collect()),
            super_parent_ids: Some(Vec::new()),
            shared_ids: Some(vec![owner.clone()]),
            responsible_ids: Some(vec![owner.clone()]),
            status: TaskStatus::Active,
            importance: Importance::Normal,
            created_date: created,
            updated_date: created,
            completed_date: None,
            dates: TaskDates {
                date_type: DateType::Backlog,
                ..Default::default()
            },
            scope: TreeScope::BpTask,
            author_ids: Some(vec![owner.clone()]),
            custom_status_id: None,
            has_attachments: Some(false),
            attachment_count: Some(0),
            permalink: Some(format!(
                "https://www.wrike.com/open.htm?id={}",
                1_100_000_000 + n
            )),
            priority: None,
            followed_by_me: None,
            follower_ids: Some(Vec::new()),
            recurrent: Some(false),
            super_task_ids: Some(super_task.into_iter().collect()),
            sub_task_ids: Some(Vec::new()),
            dependency_ids: Some(Vec::new()),
            metadata: Some(Vec::new()),
            custom_fields: Some(Vec::new()),
            billing_type: None,
            effort_allocation: None,
            custom_item_type_id: None,
        };
    let campaign = ids::entity(&id, "BT", 10);
    let mut tasks = vec![
        blueprint_task(1, "Welcome call", &[&kickoff], None),
        blueprint_task(2, "Collect requirements", &[&kickoff], None),
        blueprint_task(3, "Deliver the first milestone", &[&delivery], None),
        blueprint_task(10, "Campaign launch", &[], None),
        blueprint_task(11, "Write the brief", &[], Some(campaign.clone())),
        blueprint_task(12, "Review the creative", &[], Some(campaign.clone())),
    ];
    tasks[3].sub_task_ids = Some(vec![ids::entity(&id, "BT", 11), ids::entity(&id, "BT", 12)]);
    account.blueprint_folders = folders;
    account.blueprint_tasks = tasks;
    account.custom_item_types = vec![
        CustomItemType {
            id: ids::entity(&id, "CI", 1),
            title: "Bug report".into(),
            description: Some("A defect found in a release".into()),
            related_type: Some(RelatedType::Task),
            space_id: None,
        },
        CustomItemType {
            id: ids::entity(&id, "CI", 2),
            title: "Client project".into(),
            description: Some("A project run for one client".into()),
            related_type: Some(RelatedType::Project),
            space_id: None,
        },
    ];
}
