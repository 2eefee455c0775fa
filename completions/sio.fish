# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_sio_global_optspecs
    string join \n color= h/help V/version
end

function __fish_sio_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_sio_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_sio_using_subcommand
    set -l cmd (__fish_sio_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c sio -n "__fish_sio_needs_command" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c sio -n "__fish_sio_needs_command" -s V -l version -d 'Print version'
complete -c sio -n "__fish_sio_needs_command" -f -a "decode" -d 'Decode frames offline and explain them part by part'
complete -c sio -n "__fish_sio_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c sio -n "__fish_sio_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c sio -n "__fish_sio_using_subcommand decode" -l eio -d 'Engine.IO protocol revision (3 for Socket.IO 2.x servers)' -r -f -a "3\t''
4\t''"
complete -c sio -n "__fish_sio_using_subcommand decode" -l parser -d 'Socket.IO packet encoding' -r -f -a "default\t''
msgpack\t''"
complete -c sio -n "__fish_sio_using_subcommand decode" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand decode" -l payload -d 'Treat each input as a whole polling body and split it into packets first'
complete -c sio -n "__fish_sio_using_subcommand decode" -l hex -d 'Inputs are hex bytes (spaces allowed): a binary frame or binary body'
complete -c sio -n "__fish_sio_using_subcommand decode" -l base64 -d 'Inputs are base64 bytes: a binary frame or binary body'
complete -c sio -n "__fish_sio_using_subcommand decode" -l json -d 'One JSON record per line instead of the explanation'
complete -c sio -n "__fish_sio_using_subcommand decode" -s h -l help -d 'Print help'
complete -c sio -n "__fish_sio_using_subcommand completions" -l color -d 'When to colour output: auto colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c sio -n "__fish_sio_using_subcommand completions" -s h -l help -d 'Print help'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode completions help" -f -a "decode" -d 'Decode frames offline and explain them part by part'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c sio -n "__fish_sio_using_subcommand help; and not __fish_seen_subcommand_from decode completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
