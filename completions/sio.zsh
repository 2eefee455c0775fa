#compdef sio

autoload -U is-at-least

_sio() {
    typeset -A opt_args
    typeset -a _arguments_options
    local ret=1

    if is-at-least 5.2; then
        _arguments_options=(-s -S -C)
    else
        _arguments_options=(-s -C)
    fi

    local context curcontext="$curcontext" state line
    _arguments "${_arguments_options[@]}" : \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'-h[Print help (see more with '\''--help'\'')]' \
'--help[Print help (see more with '\''--help'\'')]' \
'-V[Print version]' \
'--version[Print version]' \
":: :_sio_commands" \
"*::: :->sio" \
&& ret=0
    case $state in
    (sio)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:sio-command-$line[1]:"
        case $line[1] in
            (decode)
_arguments "${_arguments_options[@]}" : \
'--eio=[Engine.IO protocol revision (3 for Socket.IO 2.x servers)]:EIO:(3 4)' \
'--parser=[Socket.IO packet encoding]:PARSER:(default msgpack)' \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'--payload[Treat each input as a whole polling body and split it into packets first]' \
'(--base64)--hex[Inputs are hex bytes (spaces allowed)\: a binary frame or binary body]' \
'--base64[Inputs are base64 bytes\: a binary frame or binary body]' \
'--json[One JSON record per line instead of the explanation]' \
'-h[Print help]' \
'--help[Print help]' \
'*::frames -- Frames to decode; one per line from standard input when none are given:_default' \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
'--color=[When to colour output\: auto colours a terminal unless NO_COLOR is set]:COLOR:(auto always never)' \
'-h[Print help]' \
'--help[Print help]' \
':shell:(bash elvish fish powershell zsh)' \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
":: :_sio__subcmd__help_commands" \
"*::: :->help" \
&& ret=0

    case $state in
    (help)
        words=($line[1] "${words[@]}")
        (( CURRENT += 1 ))
        curcontext="${curcontext%:*:*}:sio-help-command-$line[1]:"
        case $line[1] in
            (decode)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(completions)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
(help)
_arguments "${_arguments_options[@]}" : \
&& ret=0
;;
        esac
    ;;
esac
;;
        esac
    ;;
esac
}

(( $+functions[_sio_commands] )) ||
_sio_commands() {
    local commands; commands=(
'decode:Decode frames offline and explain them part by part' \
'completions:Print a shell completion script' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'sio commands' commands "$@"
}
(( $+functions[_sio__subcmd__completions_commands] )) ||
_sio__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'sio completions commands' commands "$@"
}
(( $+functions[_sio__subcmd__decode_commands] )) ||
_sio__subcmd__decode_commands() {
    local commands; commands=()
    _describe -t commands 'sio decode commands' commands "$@"
}
(( $+functions[_sio__subcmd__help_commands] )) ||
_sio__subcmd__help_commands() {
    local commands; commands=(
'decode:Decode frames offline and explain them part by part' \
'completions:Print a shell completion script' \
'help:Print this message or the help of the given subcommand(s)' \
    )
    _describe -t commands 'sio help commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__completions_commands] )) ||
_sio__subcmd__help__subcmd__completions_commands() {
    local commands; commands=()
    _describe -t commands 'sio help completions commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__decode_commands] )) ||
_sio__subcmd__help__subcmd__decode_commands() {
    local commands; commands=()
    _describe -t commands 'sio help decode commands' commands "$@"
}
(( $+functions[_sio__subcmd__help__subcmd__help_commands] )) ||
_sio__subcmd__help__subcmd__help_commands() {
    local commands; commands=()
    _describe -t commands 'sio help help commands' commands "$@"
}

if [ "$funcstack[1]" = "_sio" ]; then
    _sio "$@"
else
    compdef _sio sio
fi
