# zsh -f zcomp.zsh DIR LINE: completes LINE (as if TAB were pressed after it) in an interactive
# zsh whose $fpath starts with DIR, and prints the candidates compsys offers, one per line.
zmodload zsh/zpty || exit 77
dir=$1 line=$2
zpty z zsh -f -i
zpty -w z "PROMPT=''; PS2=''; unsetopt zle_bracketed_paste 2>/dev/null; fpath=(${(q)dir} \$fpath); autoload -U compinit; compinit -u -D"
# Every candidate compsys adds goes through compadd: record it, between two marker lines.
zpty -w z 'compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
  local -a hits; builtin compadd -A hits "$@"
  local h; for h in $hits; do print -r -- "CA""ND:$h"; done
}'
zpty -w z 'done_marker() { print -r -- "EN""D:"; exit }; comppostfuncs=(done_marker)'
zpty -w z "bindkey '^I' complete-word"
zpty -w z "${line}"$'\t'
out=''
while zpty -r z chunk; do out+=$chunk; [[ $out == *END:* ]] && break; done
out=${${out//$'\r'/}//CAND:/$'\n'CAND:}
print -r -- ${(F)${(M)${(f)out}:#CAND:*}#CAND:}
