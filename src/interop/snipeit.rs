//! Header names: itam's own field names, Snipe-IT's importer labels and their aliases
//! (from `SNIPEIT_IMPORT_HEADERS.md`, Snipe-IT v8.1.4), matched ignoring case and spacing,
//! and the `--map "Header=field,..."` overrides.

use super::{InteropError, Kind};

/// What a column holds. `name()` is the field's name in itam's own CSV/JSON and in `--map`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Tag,
    Name,
    Serial,
    Model,
    ModelNumber,
    Manufacturer,
    Category,
    Status,
    Condition,
    Location,
    LocationName,
    Owner,
    Supplier,
    OrderNumber,
    PurchaseDate,
    PurchaseCost,
    Currency,
    WarrantyMonths,
    WarrantyUntil,
    EolDate,
    Notes,
    CheckoutType,
    Username,
    FirstName,
    LastName,
    FullName,
    Email,
    CheckoutLocation,
    AssignedAt,
    DueDate,
    Badge,
    Team,
    /// The person's job title, phone and the location they sit at (Snipe-IT user fields).
    Title,
    Phone,
    PersonLocation,
    Active,
    Code,
    Parent,
    /// Where a check-in returns the asset (Snipe-IT's "Default Location", rtd_location).
    HomeLocation,
    /// Custom Asset Report: who or what the asset is checked out to (read with `Type`).
    CheckedOut,
    /// When Snipe-IT created the asset (kept in the create event).
    CreatedAt,
    /// Known but not imported (Company, Image, Requestable, ...).
    Ignore,
}

const ALL: &[Field] = &[
    Field::Tag,
    Field::Name,
    Field::Serial,
    Field::Model,
    Field::ModelNumber,
    Field::Manufacturer,
    Field::Category,
    Field::Status,
    Field::Condition,
    Field::Location,
    Field::LocationName,
    Field::Owner,
    Field::Supplier,
    Field::OrderNumber,
    Field::PurchaseDate,
    Field::PurchaseCost,
    Field::Currency,
    Field::WarrantyMonths,
    Field::WarrantyUntil,
    Field::EolDate,
    Field::Notes,
    Field::CheckoutType,
    Field::Username,
    Field::FirstName,
    Field::LastName,
    Field::FullName,
    Field::Email,
    Field::CheckoutLocation,
    Field::AssignedAt,
    Field::DueDate,
    Field::Badge,
    Field::Team,
    Field::Title,
    Field::Phone,
    Field::PersonLocation,
    Field::Active,
    Field::Code,
    Field::Parent,
    Field::HomeLocation,
    Field::CheckedOut,
    Field::CreatedAt,
    Field::Ignore,
];

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Tag => "tag",
            Field::Name => "name",
            Field::Serial => "serial",
            Field::Model => "model",
            Field::ModelNumber => "model_number",
            Field::Manufacturer => "manufacturer",
            Field::Category => "category",
            Field::Status => "status",
            Field::Condition => "condition",
            Field::Location => "location",
            Field::LocationName => "location_name",
            Field::Owner => "owner",
            Field::Supplier => "supplier",
            Field::OrderNumber => "order_number",
            Field::PurchaseDate => "purchase_date",
            Field::PurchaseCost => "purchase_cost",
            Field::Currency => "currency",
            Field::WarrantyMonths => "warranty_months",
            Field::WarrantyUntil => "warranty_until",
            Field::EolDate => "eol_date",
            Field::Notes => "notes",
            Field::CheckoutType => "checkout_type",
            Field::Username => "username",
            Field::FirstName => "first_name",
            Field::LastName => "last_name",
            Field::FullName => "full_name",
            Field::Email => "email",
            Field::CheckoutLocation => "checkout_location",
            Field::AssignedAt => "assigned_at",
            Field::DueDate => "due_date",
            Field::Badge => "badge",
            Field::Team => "team",
            Field::Title => "title",
            Field::Phone => "phone",
            Field::PersonLocation => "person_location",
            Field::Active => "active",
            Field::Code => "code",
            Field::Parent => "parent",
            Field::HomeLocation => "home_location",
            Field::CheckedOut => "checked_out",
            Field::CreatedAt => "created_at",
            Field::Ignore => "ignore",
        }
    }

    /// A field by its itam name (as `--map` takes it); `-` and `skip` mean ignore.
    pub fn from_name(s: &str) -> Option<Field> {
        let n = norm(s).replace(' ', "_");
        match n.as_str() {
            "-" | "skip" | "none" => Some(Field::Ignore),
            "assignee" => Some(Field::Username),
            _ => ALL.iter().copied().find(|f| f.name() == n),
        }
    }
}

/// Lower case, trimmed, inner whitespace collapsed: how headers are compared.
pub fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// (field, headers) for assets: Snipe-IT labels, aliases and the CLI importer's names, then
/// itam's own names (`tag`, `purchase_cost`, ... come from `Field::name`).
const ASSET_HEADERS: &[(Field, &[&str])] = &[
    (Field::Tag, &["asset tag", "asset_tag", "asset tag number"]),
    (
        Field::Name,
        &["asset name", "item name", "item_name", "name"],
    ),
    (
        Field::Serial,
        &[
            "serial number",
            "serial no.",
            "serial no",
            "product key",
            "key",
            "serial",
        ],
    ),
    (Field::Model, &["model name", "model", "asset_model"]),
    (
        Field::ModelNumber,
        &[
            "model no.",
            "model no",
            "model number",
            "model num",
            "model num.",
            "model_number",
        ],
    ),
    (Field::Manufacturer, &["manufacturer"]),
    (Field::Category, &["category"]),
    (Field::Status, &["status", "status label"]),
    (Field::Condition, &["condition"]),
    (Field::Location, &["location"]),
    (
        Field::HomeLocation,
        &["default location", "home location", "rtd location"],
    ),
    (Field::CheckedOut, &["checked out"]),
    // A Custom Asset Report's user columns describe the person it is checked out to.
    (
        Field::Badge,
        &["employee no.", "employee number", "employee_num"],
    ),
    (Field::Team, &["department"]),
    (Field::Title, &["title", "job title", "jobtitle"]),
    (Field::Phone, &["phone"]),
    // Snipe-IT's report has no column for the user's location; this is for hand-made files.
    (Field::PersonLocation, &["user location"]),
    (Field::CreatedAt, &["created at"]),
    (Field::LocationName, &["location name"]),
    (Field::Owner, &["owner"]),
    (Field::Supplier, &["supplier"]),
    (Field::OrderNumber, &["order number", "purchase order"]),
    (Field::PurchaseDate, &["purchase date", "purchased"]),
    (Field::PurchaseCost, &["purchase cost", "cost"]),
    (Field::Currency, &["currency", "$"]),
    (Field::WarrantyMonths, &["warranty", "warranty months"]),
    (
        Field::WarrantyUntil,
        &["warranty until", "warranty expires"],
    ),
    (Field::EolDate, &["eol date", "asset eol date", "eol"]),
    (Field::Notes, &["asset notes", "notes"]),
    (Field::CheckoutType, &["checkout type", "checkout_class"]),
    (
        Field::Username,
        &[
            "checked out to: username",
            "username",
            "user name",
            "assignee",
        ],
    ),
    (
        Field::FirstName,
        &["checked out to: first name", "first name"],
    ),
    (
        Field::LastName,
        &["checked out to: last name", "last name", "lastname"],
    ),
    (
        Field::FullName,
        &[
            "checked out to: full name",
            "full name",
            "fullname",
            "assignee_name",
        ],
    ),
    (Field::Email, &["checked out to: email", "email", "e-mail"]),
    (
        Field::CheckoutLocation,
        &[
            "checkout to location",
            "checked out to: location",
            "checkout location",
        ],
    ),
    (
        Field::AssignedAt,
        &["checkout date", "last checkout", "last checkout date"],
    ),
    (
        Field::DueDate,
        &["expected checkin date", "expected checkin", "due date"],
    ),
    (
        Field::Ignore,
        &[
            "company",
            "model notes",
            "requestable",
            "byod",
            "image filename",
            "image",
            "last checkin date",
            "last audit",
            "next audit date",
            "next audit",
            "id",
            "updated_at",
            "updated at",
            "last_seen_at",
            "current value",
            "diff",
            "fully depreciated",
            "address",
            "city",
            "state",
            "country",
            "zip",
            "manager",
            "user address",
            "user city",
            "user state",
            "user country",
            "user zip",
            "deleted",
            "url",
            "item number",
            "item no.",
            "depreciation",
        ],
    ),
];

const PEOPLE_HEADERS: &[(Field, &[&str])] = &[
    (
        Field::Username,
        &["username", "user name", "checked out to: username"],
    ),
    (
        Field::FirstName,
        &["first name", "checked out to: first name"],
    ),
    (
        Field::LastName,
        &["last name", "lastname", "checked out to: last name"],
    ),
    (
        Field::FullName,
        &["full name", "fullname", "name", "checked out to: full name"],
    ),
    (Field::Email, &["email", "e-mail", "checked out to: email"]),
    (Field::Badge, &["employee number", "employee_num", "badge"]),
    (Field::Team, &["department", "team"]),
    (
        Field::Title,
        &["job title", "jobtitle", "title", "job title for user"],
    ),
    // Snipe-IT's importer's own aliases for phone_number.
    (
        Field::Phone,
        &[
            "phone",
            "phone number",
            "phone num",
            "telephone number",
            "telephone",
            "tel.",
        ],
    ),
    (Field::PersonLocation, &["location", "user location"]),
    (Field::Active, &["active"]),
    (
        Field::Ignore,
        &[
            "activated",
            "address",
            "address2",
            "city",
            "state",
            "country",
            "postal code",
            "zip",
            "website",
            "notes",
            "company",
            "manager",
            "remote",
            "vip",
            "start date",
            "end date",
            "gravatar",
            "holds",
        ],
    ),
];

const LOCATION_HEADERS: &[(Field, &[&str])] = &[
    (Field::Code, &["code", "location code"]),
    (Field::Name, &["name", "location name"]),
    (Field::Parent, &["parent", "parent location"]),
    (
        Field::Ignore,
        &[
            "address",
            "address2",
            "address 2",
            "city",
            "state",
            "country",
            "zip",
            "postal code",
            "post code",
            "zip code",
            "manager",
            "manager username",
            "managed by",
            "currency",
            "assets",
            "ldap ou",
            "ou",
        ],
    ),
];

const MODEL_HEADERS: &[(Field, &[&str])] = &[
    (Field::Name, &["name", "model name", "model"]),
    (Field::Manufacturer, &["manufacturer"]),
    (Field::Category, &["category"]),
    (
        Field::ModelNumber,
        &[
            "model number",
            "model no.",
            "model no",
            "model num",
            "model_number",
        ],
    ),
    (
        Field::Ignore,
        &[
            "model notes",
            "notes",
            "fieldset",
            "requestable",
            "eol",
            "min qty",
            "image",
            "depreciation",
        ],
    ),
];

fn table(kind: Kind) -> &'static [(Field, &'static [&'static str])] {
    match kind {
        Kind::Assets | Kind::Events | Kind::Licences => ASSET_HEADERS,
        Kind::People => PEOPLE_HEADERS,
        Kind::Locations => LOCATION_HEADERS,
        Kind::Models => MODEL_HEADERS,
    }
}

/// The field a header names for `kind`, or None when it is not known.
pub fn field_for(kind: Kind, header: &str) -> Option<Field> {
    let h = norm(header);
    if h.is_empty() {
        return None;
    }
    for (f, names) in table(kind) {
        if names.contains(&h.as_str()) {
            return Some(*f);
        }
    }
    // itam's own names (as exported), with spaces or underscores.
    let fields = table(kind).iter().map(|(f, _)| *f);
    let under = h.replace(' ', "_");
    fields.clone().find(|f| f.name() == under)
}

/// Parse `--map` values: `Header=field` pairs separated by commas. A header that itself holds
/// commas can be quoted (`"cf: brand, type:option"=manufacturer`) or written as is: a piece
/// without `=` is joined to the next one.
pub fn parse_map(specs: &[String]) -> Result<Vec<(String, Field)>, InteropError> {
    let mut out = Vec::new();
    for spec in specs {
        let mut pending = String::new();
        for piece in split_outside_quotes(spec) {
            if !pending.is_empty() {
                pending.push(',');
            }
            pending.push_str(&piece);
            if !piece.contains('=') {
                continue;
            }
            let (h, f) = pending
                .rsplit_once('=')
                .map(|(h, f)| (h.trim().to_string(), f.trim().to_string()))
                .unwrap_or_default();
            let header = h.trim_matches('"').trim().to_string();
            let field = Field::from_name(&f).ok_or_else(|| {
                InteropError::BadMap(format!(
                    "'{f}' is not a field (one of: {})",
                    ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
                ))
            })?;
            if header.is_empty() {
                return Err(InteropError::BadMap(format!("'{pending}' names no header")));
            }
            out.push((header, field));
            pending.clear();
        }
        if !pending.trim().is_empty() {
            return Err(InteropError::BadMap(format!(
                "'{}' has no '=field' (write Header=field)",
                pending.trim()
            )));
        }
    }
    Ok(out)
}

fn split_outside_quotes(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Snipe-IT status label names to itam statuses. None: not a label we know.
pub fn status_from_label(label: &str) -> Option<crate::domain::Status> {
    use crate::domain::Status as S;
    let l = norm(label);
    Some(match l.as_str() {
        "ready to deploy" | "ready" | "deployable" | "available" | "in stock" | "in_stock"
        | "deployed" => S::InStock,
        "pending" | "ordered" | "on order" => S::Ordered,
        "archived" | "retired" | "end of life" => S::Retired,
        "out for repair" | "broken" | "in repair" | "in_repair" | "repair" | "undeployable" => {
            S::InRepair
        }
        "lost" | "stolen" | "lost/stolen" | "lost or stolen" => S::Lost,
        "out for diagnostics" | "broken - not fixable" => S::InRepair,
        "disposed" => S::Disposed,
        _ => return None,
    })
}

/// The Snipe-IT label itam exports for a status: Snipe-IT's default labels (the three a new
/// install has, and the undeployable ones its factories name), each read back by the importer
/// above. Deployed is Ready to Deploy plus a check-out, as Snipe-IT shows it.
pub fn label_for_status(s: crate::domain::Status) -> &'static str {
    use crate::domain::Status as S;
    match s {
        S::Ordered => "Pending",
        S::InStock | S::Deployed => "Ready to Deploy",
        S::InRepair => "Out for Repair",
        S::Lost => "Lost/Stolen",
        S::Retired | S::Disposed => "Archived",
    }
}

/// [`label_for_status`], with a broken asset in repair written as Snipe-IT's "Broken - Not
/// Fixable" (read back as in repair and broken).
pub fn label_for_asset(s: crate::domain::Status, c: crate::domain::Condition) -> &'static str {
    if s == crate::domain::Status::InRepair && c == crate::domain::Condition::Broken {
        return "Broken - Not Fixable";
    }
    label_for_status(s)
}

/// How a Snipe-IT status cell was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRead {
    pub status: crate::domain::Status,
    /// The label names a broken asset ("Broken - Not Fixable").
    pub broken: bool,
    /// Snipe-IT said deployed (checked out): the importer decides from the check-out columns.
    pub deployed_meta: bool,
}

/// A Snipe-IT status cell: a label, or `Label (meta)` as its Custom Asset Report writes it
/// (meta from AssetPresenter::statusMeta: deployed when checked out, else the label's type:
/// pending, archived, undeployable, deployable). `map` (from `--status-map`) wins, then the
/// meta, then the label. Err: a label nothing knows, with no meta.
pub fn read_status(
    cell: &str,
    map: &[(String, crate::domain::Status)],
) -> Result<StatusRead, String> {
    use crate::domain::Status as S;
    let t = cell.trim();
    let (label, meta) = match t.strip_suffix(')').and_then(|x| x.rsplit_once('(')) {
        Some((l, m)) if !l.trim().is_empty() => (l.trim(), Some(norm(m))),
        _ => (t, None),
    };
    let l = norm(label);
    let broken = l.contains("broken");
    let lost_like = l.contains("lost") || l.contains("stolen") || l.contains("missing");
    for (k, st) in map {
        if norm(k) == l || norm(k) == norm(t) {
            return Ok(StatusRead {
                status: *st,
                broken,
                deployed_meta: false,
            });
        }
    }
    let from_meta = match meta.as_deref() {
        Some("pending") => Some(S::Ordered),
        Some("archived") => Some(S::Retired),
        Some("undeployable") if lost_like => Some(S::Lost),
        Some("undeployable") => Some(S::InRepair),
        Some("deployable") => Some(S::InStock),
        Some("deployed") => {
            return Ok(StatusRead {
                status: S::Deployed,
                broken,
                deployed_meta: true,
            })
        }
        _ => None,
    };
    let status = match from_meta {
        Some(st) => st,
        None => match status_from_label(t)
            .or_else(|| status_from_label(label))
            .or_else(|| t.parse().ok())
        {
            Some(st) => st,
            None if lost_like => S::Lost,
            None if broken => S::InRepair,
            None => {
                return Err(format!(
                    "unknown status '{}' (give --status-map \"{}=in_stock\" or another status)",
                    crate::domain::text::visible(t),
                    crate::domain::text::visible(label)
                ))
            }
        },
    };
    Ok(StatusRead {
        status,
        broken,
        deployed_meta: false,
    })
}

/// `--status-map "Label=status,..."`.
pub fn parse_status_map(
    specs: &[String],
) -> Result<Vec<(String, crate::domain::Status)>, InteropError> {
    let mut out = Vec::new();
    for spec in specs {
        for piece in split_outside_quotes(spec) {
            if piece.trim().is_empty() {
                continue;
            }
            let (l, st) = piece.rsplit_once('=').ok_or_else(|| {
                InteropError::BadMap(format!(
                    "--status-map '{}' has no '=status' (write Label=status)",
                    crate::domain::text::visible(piece.trim())
                ))
            })?;
            let st = st
                .parse::<crate::domain::Status>()
                .map_err(|e| InteropError::BadMap(format!("--status-map: {e}")))?;
            out.push((l.trim().trim_matches('"').trim().to_string(), st));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snipeit_headers_and_aliases_ignore_case() {
        assert_eq!(field_for(Kind::Assets, "Asset Tag"), Some(Field::Tag));
        assert_eq!(field_for(Kind::Assets, "ASSET  TAG "), Some(Field::Tag));
        assert_eq!(
            field_for(Kind::Assets, "Checked Out To: Username"),
            Some(Field::Username)
        );
        assert_eq!(field_for(Kind::Assets, "Model"), Some(Field::Model));
        assert_eq!(
            field_for(Kind::Assets, "Model No."),
            Some(Field::ModelNumber)
        );
        assert_eq!(
            field_for(Kind::Assets, "purchase_cost"),
            Some(Field::PurchaseCost)
        );
        assert_eq!(field_for(Kind::Assets, "Company"), Some(Field::Ignore));
        assert_eq!(field_for(Kind::Assets, "cf: brand"), None);
        assert_eq!(
            field_for(Kind::People, "Employee Number"),
            Some(Field::Badge)
        );
        assert_eq!(field_for(Kind::Locations, "Parent"), Some(Field::Parent));
        // Snipe-IT's own aliases for a user's phone_number and jobtitle.
        for h in ["Phone", "Telephone", "Phone Number", "tel."] {
            assert_eq!(field_for(Kind::People, h), Some(Field::Phone), "{h}");
        }
        assert_eq!(
            field_for(Kind::People, "Job Title for User"),
            Some(Field::Title)
        );
    }

    #[test]
    fn map_syntax() {
        let m = parse_map(&["title=name, cf: Serial number,type:text=serial".into()]).unwrap();
        assert_eq!(
            m,
            vec![
                ("title".to_string(), Field::Name),
                ("cf: Serial number,type:text".to_string(), Field::Serial)
            ]
        );
        let m = parse_map(&["\"a,b\"=tag".into(), "x=-".into()]).unwrap();
        assert_eq!(m[0], ("a,b".to_string(), Field::Tag));
        assert_eq!(m[1].1, Field::Ignore);
        assert!(parse_map(&["x=nonsense".into()]).is_err());
        assert!(parse_map(&["x".into()]).is_err());
    }

    #[test]
    fn status_labels() {
        use crate::domain::Status as S;
        assert_eq!(status_from_label("Ready to Deploy"), Some(S::InStock));
        assert_eq!(status_from_label("pending"), Some(S::Ordered));
        assert_eq!(status_from_label("Archived"), Some(S::Retired));
        assert_eq!(status_from_label("Broken"), Some(S::InRepair));
        assert_eq!(status_from_label("Stolen"), Some(S::Lost));
        assert_eq!(status_from_label("Pending Diagnostics"), None);
        for s in S::ALL {
            let back = status_from_label(label_for_status(*s)).unwrap();
            assert!(
                back == *s
                    || (*s == S::Deployed && back == S::InStock)
                    || (*s == S::Disposed && back == S::Retired)
            );
        }
    }

    #[test]
    fn custom_report_statuses_are_read_by_their_meta() {
        use crate::domain::Status as S;
        let r = |c: &str| read_status(c, &[]).map(|r| r.status);
        assert_eq!(r("Pending (pending)"), Ok(S::Ordered));
        assert_eq!(r("Ready to Deploy (deployable)"), Ok(S::InStock));
        assert_eq!(r("Ready to Deploy (deployed)"), Ok(S::Deployed));
        assert_eq!(r("Lost/Stolen (undeployable)"), Ok(S::Lost));
        assert_eq!(r("Out for Diagnostics (undeployable)"), Ok(S::InRepair));
        assert_eq!(r("Archived (archived)"), Ok(S::Retired));
        // A custom label is classed by its meta alone.
        assert_eq!(r("Awaiting Imaging (pending)"), Ok(S::Ordered));
        assert_eq!(r("With Courier (deployable)"), Ok(S::InStock));
        assert!(
            read_status("Broken - Not Fixable (undeployable)", &[])
                .unwrap()
                .broken
        );
        assert!(r("Awaiting Imaging").is_err());
        let map =
            parse_status_map(&["Awaiting Imaging=in_stock, \"Spare (deployable)\"=retired".into()])
                .unwrap();
        assert_eq!(
            read_status("Awaiting Imaging", &map).unwrap().status,
            S::InStock
        );
        assert_eq!(
            read_status("Spare (deployable)", &map).unwrap().status,
            S::Retired
        );
        assert!(parse_status_map(&["x=nonsense".into()]).is_err());
    }
}
