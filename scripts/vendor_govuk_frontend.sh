#!/usr/bin/env bash
# Vendors GOV.UK Frontend's compiled assets into the portal (src/open_lrs/portal/static/govuk/).
#
# The portal is not on GOV.UK, so, as the Design System asks of such services, it uses no crown
# and not the GDS Transport font: the Sass is compiled here with the system font stack and no
# @font-face, and no crown images or GOV.UK icons are copied. The Jinja templates come from the
# govuk-frontend-jinja Python package (pinned in pyproject.toml), which targets the same
# GOV.UK Frontend version: change both together. Needs node and npm; run from anywhere:
#
#   bash scripts/vendor_govuk_frontend.sh
set -euo pipefail
GOVUK_FRONTEND_VERSION=6.3.0   # govuk-frontend-jinja 4.1.0 targets 6.3.0
SASS_VERSION=1.108.2
cd "$(dirname "$0")/.."
dest=src/open_lrs/portal/static/govuk
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

npm install --prefix "$work" --no-save --no-audit --no-fund --silent \
  "govuk-frontend@${GOVUK_FRONTEND_VERSION}" "sass@${SASS_VERSION}"
package="$work/node_modules/govuk-frontend"
installed=$(node -p "require('$package/package.json').version")
[ "$installed" = "$GOVUK_FRONTEND_VERSION" ] || { echo "got govuk-frontend $installed" >&2; exit 1; }

cat > "$work/portal.scss" <<'SCSS'
@use "govuk-frontend/dist/govuk" with (
  $govuk-font-family: (system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif),
  $govuk-include-default-font-face: false,
  $govuk-assets-path: "/static/govuk/assets/"
);
SCSS

rm -rf "$dest"
mkdir -p "$dest"
"$work/node_modules/.bin/sass" --load-path="$work/node_modules" --style=compressed \
  --no-source-map --quiet-deps "$work/portal.scss" "$dest/govuk-frontend.min.css"
cp "$package/dist/govuk/govuk-frontend.min.js" "$dest/govuk-frontend.min.js"
sed -i 's#//\# sourceMappingURL=.*$##' "$dest/govuk-frontend.min.js"
if grep -q "GDS Transport" "$dest/govuk-frontend.min.css"; then
  echo "the compiled CSS still names GDS Transport" >&2
  exit 1
fi
echo "Vendored govuk-frontend ${GOVUK_FRONTEND_VERSION} (Sass ${SASS_VERSION}) into $dest"
