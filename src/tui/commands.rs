//! The commands of every view, one enum each, named as in keymap.toml. Screens match them
//! exhaustively, so every command's handler is a compile-time fact; the help text is a method.

use serde::de::DeserializeOwned;
use std::fmt;

/// A view's command: its keymap.toml name and what it does.
pub trait Command: Copy + Eq + fmt::Debug + DeserializeOwned + 'static {
    const VIEW: &'static str;
    fn name(self) -> &'static str;
    fn help(self) -> &'static str;
}

/// One enum per view: variant, its name in keymap.toml, its help text. The serde name and
/// `name()` come from the same literal, so they cannot drift apart.
macro_rules! commands {
    ($(#[$m:meta])* $ty:ident, $view:literal { $($v:ident $name:literal $help:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
        pub enum $ty { $(#[serde(rename = $name)] $v,)* }
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$v,)*];
        }
        impl Command for $ty {
            const VIEW: &'static str = $view;
            fn name(self) -> &'static str { match self { $($ty::$v => $name,)* } }
            fn help(self) -> &'static str { match self { $($ty::$v => $help,)* } }
        }
    };
}

commands!(
    /// The asset list.
    ListCmd, "list" {
    Up "up" "move up",
    Down "down" "move down",
    PageUp "page_up" "page up",
    PageDown "page_down" "page down",
    Top "top" "first row",
    Bottom "bottom" "last row",
    Open "open" "open",
    Search "search" "fuzzy search",
    Filter "filter" "filter by status, location or assignee",
    Clear "clear" "clear search and filters",
    Sort "sort" "sort by the next column",
    Reverse "reverse" "reverse the sort",
    Scan "scan" "scan view",
    Person "person" "the assignee's assets",
    AddAsset "add_asset" "add an asset",
    AddPerson "add_person" "add a person",
    AddLocation "add_location" "add a location",
    EditLocation "edit_location" "edit a location (pick it first)",
    Import "import" "import a file (dry run first)",
    Ghosts "ghosts" "ghosts: active assets unseen for 180+ days",
    Drift "drift" "drift: where the inventory feeds disagree with the register",
    Licences "licences" "licences: seats owned vs assigned, over-deployment, renewals",
    Finance "finance" "finance: book value by category",
    Forecast "forecast" "refresh forecast: end of life and warranty ends by quarter",
    Demo "demo" "load demo data (empty database only)",
    Refresh "refresh" "reload from the database",
    Messages "messages" "the last 100 messages",
    Help "help" "help",
    Quit "quit" "quit",
});

commands!(
    /// One asset.
    DetailCmd, "detail" {
    Back "back" "back",
    Checkout "checkout" "check out",
    Checkin "checkin" "check in",
    Move "move" "move",
    Condition "condition" "set condition",
    Status "status" "change status",
    Edit "edit" "edit",
    Dispose "dispose" "dispose (a form, confirmed with ctrl-s)",
    Label "label" "print its barcode label",
    Curve "curve" "depreciation curve (toggle)",
    Person "person" "the assignee's assets",
    Up "up" "move up",
    Down "down" "move down",
    Messages "messages" "the last 100 messages",
    Help "help" "help",
    Quit "quit" "quit",
});

commands!(
    /// The scan view. These names are also the command barcodes (`CMD-CHECKIN`...).
    ScanCmd, "scan" {
    Lookup "lookup" "mode: look up each scan",
    Checkout "checkout" "mode: check out to the chosen person",
    Checkin "checkin" "mode: check in with the chosen grade",
    Move "move" "mode: move to the chosen location",
    Condition "condition" "mode: set the chosen grade",
    Pick "pick" "pick the person or location by name",
    Grade "grade" "next condition grade",
    Audit "audit" "mode: audit a room (scan its label first)",
    Receive "receive" "mode: receive serials against a PO line (F7 picks it)",
    Offboard "offboard" "mode: offboard a person (badge, then what they hand back)",
    Take "take" "audit: move the last unexpected asset here",
    Label "label" "receive: print each new asset's label (on/off)",
    Done "done" "close the audit / finish the offboarding",
    Undo "undo" "undo the last scan",
    LogUp "log_up" "scroll the scan log back",
    LogDown "log_down" "scroll the scan log forward",
    Messages "messages" "the last 100 messages",
    Back "back" "back",
    Help "help" "help",
    Quit "quit" "quit",
});

commands!(
    /// An audit's reconciliation, shown when it closes.
    ReconcileCmd, "reconcile" {
    Back "back" "back to the scan view",
    Up "up" "move up",
    Down "down" "move down",
    PageUp "page_up" "page up",
    PageDown "page_down" "page down",
    Top "top" "first line",
    Bottom "bottom" "last line",
    Csv "csv" "write the reconciliation to a CSV file",
    Help "help" "help",
    Quit "quit" "quit",
});

commands!(
    /// A person and what they hold.
    PersonCmd, "person" {
    Back "back" "back",
    Up "up" "move up",
    Down "down" "move down",
    Open "open" "open",
    Edit "edit" "edit",
    Help "help" "help",
    Quit "quit" "quit",
});

commands!(
    /// The help screen.
    HelpCmd, "help" {
    Back "back" "back",
    Up "up" "move up",
    Down "down" "move down",
    PageUp "page_up" "page up",
    PageDown "page_down" "page down",
    Top "top" "first line",
    Bottom "bottom" "last line",
    Quit "quit" "quit",
});

commands!(
    /// Active assets unseen for a long time.
    GhostsCmd, "ghosts" {
    Back "back" "back",
    Up "up" "move up",
    Down "down" "move down",
    Open "open" "open",
    Lost "lost" "mark lost (asks y/n)",
    Retire "retire" "retire (asks y/n)",
    Refresh "refresh" "look again now (it also follows every change)",
    Help "help" "help",
    Quit "quit" "quit",
});

commands!(
    /// Where the inventory feeds disagree with the register.
    DriftCmd, "drift" {
    Back "back" "back",
    Up "up" "move up",
    Down "down" "move down",
    Open "open" "open the asset",
    Accept "accept" "accept the MDM user as assignee",
    Found "found" "mark found",
    Help "help" "help",
    Quit "quit" "quit",
});

commands!(
    /// The money views (licences, finance, forecast).
    ReportCmd, "report" {
    Back "back" "back",
    Up "up" "move up",
    Down "down" "move down",
    Refresh "refresh" "recompute now (it also follows every change)",
    Help "help" "help",
    Quit "quit" "quit",
});

commands!(
    /// An import's dry run.
    ImportCmd, "import" {
    Apply "apply" "write the import (after reading the dry run)",
    Back "back" "back",
    Up "up" "move up",
    Down "down" "move down",
    Quit "quit" "quit",
});

commands!(
    /// Any form.
    FormCmd, "form" {
    Next "next" "next field",
    Prev "prev" "previous field",
    Save "save" "save",
    Cancel "cancel" "cancel",
    Quit "quit" "quit",
});

commands!(
    /// Any pick-list.
    PickerCmd, "picker" {
    Up "up" "move up",
    Down "down" "move down",
    Choose "choose" "choose",
    Cancel "cancel" "cancel",
    Quit "quit" "quit",
});

commands!(
    /// The list's search box, while typing.
    SearchCmd, "search" {
    Up "up" "move up",
    Down "down" "move down",
    Open "open" "open",
    Cancel "cancel" "cancel",
    Quit "quit" "quit",
});
