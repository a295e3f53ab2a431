#!/usr/bin/env bash
# Fetches the third-party files the web pages embed (web/static/vendor) again from the npm registry, as
# web.Vendored lists them, and checks each against its pinned SRI hash. Run it after changing a version in
# web/web.go (then update the hash there: the script prints the one it computed); `go test ./web/` checks the
# committed files against the same hashes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# path package file sri, one line per asset, read from web/web.go's Vendored table.
sed -n 's/^\t{"\([^"]*\)", "\([^"]*\)", "\([^"]*\)", "\([^"]*\)"},$/\1 \2 \3 \4/p' web/web.go |
	while read -r path pkg file sri; do
		dir=$tmp/${pkg//\//_}
		if [[ ! -d $dir ]]; then
			mkdir -p "$dir"
			(cd "$dir" && npm pack --silent "$pkg" >/dev/null && tar xzf ./*.tgz)
		fi
		got="sha256-$(openssl dgst -sha256 -binary "$dir/package/$file" | base64)"
		if [[ $got != "$sri" ]]; then
			echo "$pkg $file: $got, pinned $sri" >&2
			exit 1
		fi
		mkdir -p "web/static/$(dirname "$path")"
		cp "$dir/package/$file" "web/static/$path"
		cp "$dir/package/LICENSE" "web/static/$(dirname "$path")/LICENSE"
		echo "web/static/$path ($pkg $file) $sri"
	done
