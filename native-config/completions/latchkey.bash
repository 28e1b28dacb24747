# bash completion for latchkey. Made from the program's one definition of its command line (door.Commands): never edit by hand.
_latchkey() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} command= i
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            --config|--socket) ((i++)) ;;
            --no-daemon|-v) ;;
            *) command=${COMP_WORDS[i]}; break ;;
        esac
    done
    case $prev in
        --config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    esac
    if [ -z "$command" ]; then
        COMPREPLY=($(compgen -W "get store rotate erase list audit import doctor daemon exec scan stdio --cargo-plugin docker-credential keyring npm-token git-credential --version --help --config --socket --no-daemon -v" -- "$cur"))
        return
    fi
    case $command in
        get)
            case $prev in
                --operation) COMPREPLY=($(compgen -W "read publish yank unyank owners" -- "$cur")); return ;;
                --store) COMPREPLY=($(compgen -W "cargo command encrypted env file keychain libsecret macos-keychain memory wincred" -- "$cur")); return ;;
                --for-command) COMPREPLY=(); return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--operation --store --for-command --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=()
            fi
            ;;
        store)
            case $prev in
                --store) COMPREPLY=($(compgen -W "cargo command encrypted env file keychain libsecret macos-keychain memory wincred" -- "$cur")); return ;;
                --expires-in) COMPREPLY=(); return ;;
                --operations) COMPREPLY=($(compgen -W "read publish yank unyank owners" -- "$cur")); return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--store --expires-in --operations --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=()
            fi
            ;;
        rotate)
            case $prev in
                --operations) COMPREPLY=($(compgen -W "read publish yank unyank owners" -- "$cur")); return ;;
                --expires-in) COMPREPLY=(); return ;;
                --store) COMPREPLY=($(compgen -W "cargo command encrypted env file keychain libsecret macos-keychain memory wincred" -- "$cur")); return ;;
                --login) COMPREPLY=(); return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--operations --expires-in --store --login --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=()
            fi
            ;;
        erase)
            case $prev in
                --store) COMPREPLY=($(compgen -W "cargo command encrypted env file keychain libsecret macos-keychain memory wincred" -- "$cur")); return ;;
                --login) COMPREPLY=(); return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--store --all-stores --login --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=()
            fi
            ;;
        list)
            case $prev in
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--json --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=()
            fi
            ;;
        audit)
            case $prev in
                -n) COMPREPLY=(); return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "-n --json --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=()
            fi
            ;;
        import)
            case $prev in
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W " --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "cargo git" -- "$cur"))
            fi
            ;;
        doctor)
            case $prev in
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--json --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=()
            fi
            ;;
        daemon)
            case $prev in
                --idle-timeout) COMPREPLY=(); return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--foreground --idle-timeout --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "stop status" -- "$cur"))
            fi
            ;;
        exec)
            case $prev in
                --registry) COMPREPLY=(); return ;;
                --operation) COMPREPLY=($(compgen -W "read publish yank unyank owners" -- "$cur")); return ;;
                --env) COMPREPLY=(); return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--registry --operation --env --no-mask --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=()
            fi
            ;;
        scan)
            case $prev in
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--history --staged --install-hook --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
            ;;
        stdio)
            case $prev in
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W " --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=()
            fi
            ;;
        --cargo-plugin)
            case $prev in
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W " --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=()
            fi
            ;;
        docker-credential)
            case $prev in
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W " --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "store get erase list version" -- "$cur"))
            fi
            ;;
        keyring)
            case $prev in
                --mode) COMPREPLY=(); return ;;
                --output) COMPREPLY=(); return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--mode --output --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "get set del" -- "$cur"))
            fi
            ;;
        npm-token)
            case $prev in
                --expires-in) COMPREPLY=(); return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--store --erase --expires-in --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=()
            fi
            ;;
        git-credential)
            case $prev in
                --store) COMPREPLY=($(compgen -W "cargo command encrypted env file keychain libsecret macos-keychain memory wincred" -- "$cur")); return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--store --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "get store erase" -- "$cur"))
            fi
            ;;
        --version)
            case $prev in
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W " --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=()
            fi
            ;;
        --help|help)
            case $prev in
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W " --config --socket --no-daemon -v" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "get store rotate erase list audit import doctor daemon exec scan stdio --cargo-plugin docker-credential keyring npm-token git-credential --version --help" -- "$cur"))
            fi
            ;;
    esac
}
complete -F _latchkey latchkey
