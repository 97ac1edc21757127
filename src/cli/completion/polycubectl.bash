# bash completion for polycubectl (lbrp's polycubectl-compatible client, also usable with the
# real one). Source it from ~/.bashrc or drop it in /etc/bash_completion.d/.
#
# Every completion asks the server, as Polycube's own script does (REST spec §3.1-§3.2):
#   curl -f -L -s -X OPTIONS "<base><path>?help=<TYPE>&completion"
# <path> is the typed words without the word being completed, words with '=' or ':', the program
# name and the command words (the last command sets TYPE: ADD, DEL, SHOW or SET; else NONE). When
# the word being completed contains '=', the part before '=' is appended as a last segment.
# The answer is a JSON array of strings; entries ending in '=' get no trailing space; a single
# entry starting with '<' (e.g. "<vip>") is shown as a hint. Non-2xx answers complete nothing.
#
# Base URL: $POLYCUBECTL_URL, else `url:` in $HOME/.config/polycube/polycubectl_config.yaml, else
# http://localhost:9000/polycube/v1/. JSON is read with jq when available (set
# POLYCUBECTL_COMPLETION_JQ to another jq binary, or to an empty string to use the built-in
# reader for arrays of strings).

_polycubectl_base_url() {
  if [[ -n ${POLYCUBECTL_URL:-} ]]; then
    printf '%s' "$POLYCUBECTL_URL"
    return
  fi
  local cfg="${HOME:-}/.config/polycube/polycubectl_config.yaml" url=""
  if [[ -r $cfg ]]; then
    url=$(sed -n -E 's/^url:[[:space:]]*["'\'']?([^"'\''#[:space:]]*).*$/\1/p' "$cfg" | head -n 1)
  fi
  printf '%s' "${url:-http://localhost:9000/polycube/v1/}"
}

# Reads a JSON array of strings on stdin and prints one string per line.
_polycubectl_json_strings() {
  local jq=${POLYCUBECTL_COMPLETION_JQ-jq}
  if [[ -n $jq ]] && command -v "$jq" >/dev/null 2>&1; then
    "$jq" -r '.[]? | strings' 2>/dev/null
    return 0
  fi
  local json s re='"(([^"\\]|\\.)*)"'
  json=$(cat)
  while [[ $json =~ $re ]]; do
    s=${BASH_REMATCH[1]}
    s=${s//\\\"/\"}
    s=${s//\\\//\/}
    s=${s//\\\\/\\}
    printf '%s\n' "$s"
    json=${json#*"${BASH_REMATCH[0]}"}
  done
}

_polycubectl() {
  local line=${COMP_LINE:0:COMP_POINT}
  local -a words=()
  read -r -a words <<<"$line"
  local cur=""
  if [[ ! $line =~ [[:space:]]$ ]] && ((${#words[@]} > 1)); then
    cur=${words[${#words[@]}-1]}
    unset 'words[${#words[@]}-1]'
  fi

  local path="" type=NONE w
  for w in "${words[@]:1}"; do
    case $w in
      *=* | *:* | polycubectl | -*) continue ;;
      add | del | show | set)
        type=${w^^}
        continue
        ;;
    esac
    path+="$w/"
  done
  if [[ $cur == *=* ]]; then
    path+="${cur%%=*}/"
  fi
  path=${path%/}

  COMPREPLY=()
  local answer
  answer=$(curl -f -L -s -X OPTIONS "$(_polycubectl_base_url)${path}?help=${type}&completion") || return 0
  local -a candidates=()
  mapfile -t candidates < <(printf '%s' "$answer" | _polycubectl_json_strings)

  if ((${#candidates[@]} == 1)) && [[ ${candidates[0]} == '<'* ]]; then
    # A hint such as "<vip>": show it under the prompt, complete nothing.
    { printf '\n%s\n%s%s' "${candidates[0]}" "${PS1@P}" "$COMP_LINE" >/dev/tty; } 2>/dev/null
    return 0
  fi

  # Readline replaces only the part after the last '=' or ':' (both are in COMP_WORDBREAKS).
  local typed=$cur c
  [[ $cur == *=* ]] && typed=${cur#*=}
  [[ $cur == *:* ]] && typed=${cur#*:}
  for c in "${candidates[@]}"; do
    [[ $cur == *:* ]] && c=${c#*:}
    [[ $c == "$typed"* ]] || continue
    [[ $c == *= ]] || c+=' '
    COMPREPLY+=("$c")
  done
  return 0
}

complete -o nospace -F _polycubectl polycubectl
