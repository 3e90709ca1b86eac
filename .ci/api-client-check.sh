#!/usr/bin/env bash
# Snipe-IT client check: a Snipe-IT API client from PyPI that this project did not write
# (snipepy, pinned) drives `itam serve` on a temp database: create a model and an asset, find
# it by tag and by serial, update a custom field, check it out to a user and back in. Then
# `itam history` must show each change with the actor api:USERNAME of the token used.
#
# Usage: .ci/api-client-check.sh
# Needs: python3 with venv and network access to PyPI (it installs snipepy into a temp venv);
# the itam binary (built here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

target="${CARGO_TARGET_DIR:-target}"
itam_bin="${ITAM_BIN:-$target/debug/itam}"
if [ ! -x "$itam_bin" ]; then
    cargo build --quiet
fi
itam_bin="$(cd "$(dirname "$itam_bin")" && pwd)/$(basename "$itam_bin")"

tmp="$(mktemp -d)"
srv_pid=""
cleanup() {
    if [ -n "$srv_pid" ] && kill -0 "$srv_pid" 2>/dev/null; then
        kill -TERM "$srv_pid" 2>/dev/null || true
        wait "$srv_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    echo "api-client-check: FAILED: $*" >&2
    exit 1
}

export XDG_CONFIG_HOME="$tmp/config" XDG_DATA_HOME="$tmp/data"
unset ITAM_DB
db="$tmp/itam.db"
itam() { "$itam_bin" --db "$db" "$@"; }

python3 -m venv "$tmp/venv" || fail "python3 -m venv is needed"
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check "snipepy==0.1.0" \
    || fail "cannot install snipepy from PyPI"

itam init >/dev/null
itam field add "MAC Address" --format mac >/dev/null
token="$(itam token create ci-sync --note 'api-client-check')"

itam serve --listen 127.0.0.1:0 >"$tmp/serve.out" 2>"$tmp/serve.err" &
srv_pid=$!
for _ in $(seq 1 100); do
    [ -s "$tmp/serve.out" ] && break
    sleep 0.1
done
url="$(sed -n 's#^listening on \(http://[^ ]*\)/api/v1$#\1#p' "$tmp/serve.out")"
[ -n "$url" ] || fail "itam serve did not start: $(cat "$tmp/serve.err")"

ITAM_URL="$url" ITAM_TOKEN="$token" "$tmp/venv/bin/python" - <<'PY' || fail "the snipepy run (see above)"
import os
from snipepy import Config, Snipepy

api = Snipepy(Config(url=os.environ["ITAM_URL"], token=os.environ["ITAM_TOKEN"]))

model = api.models.create(name="Latitude 7440", model_number="L7440")
assert model.name == "Latitude 7440", model

asset = api.assets.create(asset_tag="API-0001", status_id=2, model_id=model.id,
                          serial="SN-API-0001", name="CI laptop")
assert asset.asset_tag == "API-0001", asset

by_tag = api.assets.get_by_asset_tag("API-0001")
assert by_tag.id == asset.id and by_tag.model.name == "Latitude 7440", by_tag
by_serial = api.assets.get_by_serial("SN-API-0001")
assert by_serial.id == asset.id, by_serial

# Custom fields go by Snipe-IT's column name (_snipeit_mac_address_N), as MDM syncs send them.
column = by_tag.custom_fields["MAC Address"]["field"]
api.assets.update_partial(asset.id, custom_fields={column: "00:1A:2B:3C:4D:5E"})
got = api.assets.get(asset.id)
assert got.custom_fields["MAC Address"]["value"] == "00:1A:2B:3C:4D:5E", got.custom_fields

user = api.users.create(username="jdoe", password="unused-by-itam", password_confirmation="unused-by-itam",
                        first_name="Jane", last_name="Doe", email="jdoe@example.com")
assert api.users.get_by_username("jdoe").id == user.id

out = api.assets.checkout_to_user(asset.id, user.id, note="issued by CI")
assert out.assigned_to is not None and out.assigned_to.id == user.id, out.assigned_to
assert out.status_label.status_meta == "deployed", out.status_label

back = api.assets.checkin(asset.id, note="returned to CI")
assert back.assigned_to is None, back.assigned_to
print("snipepy: model, asset, tag and serial look-ups, custom field, check-out and check-in all answered")
PY

history="$(itam history API-0001)"
echo "$history"
for kind in create field checkout checkin; do
    echo "$history" | grep -q "$kind" || fail "itam history API-0001 has no $kind"
done
lines="$(echo "$history" | grep -c .)"
by_api="$(echo "$history" | grep -c 'api:ci-sync')"
[ "$lines" = "$by_api" ] || fail "every change should be by api:ci-sync ($by_api of $lines lines)"
itam check >/dev/null || fail "itam check found problems after the API writes"
echo "api-client-check: ok (snipepy 0.1.0 against itam serve; $lines changes by api:ci-sync)"
