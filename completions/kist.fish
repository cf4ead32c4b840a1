# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kist_global_optspecs
    string join \n root= runroot= storage-driver= h/help V/version
end

function __fish_kist_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kist_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kist_using_subcommand
    set -l cmd (__fish_kist_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kist -n "__fish_kist_needs_command" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_needs_command" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_needs_command" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_needs_command" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_needs_command" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_needs_command" -f -a "images" -d 'List images'
complete -c kist -n "__fish_kist_needs_command" -f -a "image" -d 'Manage images'
complete -c kist -n "__fish_kist_needs_command" -f -a "pull" -d 'Download an image from a registry'
complete -c kist -n "__fish_kist_needs_command" -f -a "push" -d 'Upload an image to a registry'
complete -c kist -n "__fish_kist_needs_command" -f -a "login" -d 'Log in to a registry'
complete -c kist -n "__fish_kist_needs_command" -f -a "logout" -d 'Log out from a registry'
complete -c kist -n "__fish_kist_needs_command" -f -a "search" -d 'Search registries for images'
complete -c kist -n "__fish_kist_needs_command" -f -a "manifest" -d 'Inspect manifests and image indexes in registries'
complete -c kist -n "__fish_kist_needs_command" -f -a "load" -d 'Load images from a tar archive or standard input'
complete -c kist -n "__fish_kist_needs_command" -f -a "save" -d 'Save one or more images to a tar archive (standard output by default)'
complete -c kist -n "__fish_kist_needs_command" -f -a "import" -d 'Import the contents of a tarball to create a filesystem image'
complete -c kist -n "__fish_kist_needs_command" -f -a "rmi" -d 'Remove one or more images'
complete -c kist -n "__fish_kist_needs_command" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c kist -n "__fish_kist_needs_command" -f -a "history" -d 'Show the history of an image'
complete -c kist -n "__fish_kist_needs_command" -f -a "inspect" -d 'Return low-level information on kist objects'
complete -c kist -n "__fish_kist_needs_command" -f -a "version" -d 'Show the kist version information'
complete -c kist -n "__fish_kist_needs_command" -f -a "info" -d 'Display system-wide information'
complete -c kist -n "__fish_kist_needs_command" -f -a "ps" -d 'List containers'
complete -c kist -n "__fish_kist_needs_command" -f -a "container" -d 'Manage containers'
complete -c kist -n "__fish_kist_needs_command" -f -a "network" -d 'Manage networks'
complete -c kist -n "__fish_kist_needs_command" -f -a "logs" -d 'Fetch the logs of a container'
complete -c kist -n "__fish_kist_needs_command" -f -a "run" -d 'Create and run a new container from an image'
complete -c kist -n "__fish_kist_needs_command" -f -a "create" -d 'Create a new container'
complete -c kist -n "__fish_kist_needs_command" -f -a "start" -d 'Start one or more stopped containers'
complete -c kist -n "__fish_kist_needs_command" -f -a "stop" -d 'Stop one or more running containers'
complete -c kist -n "__fish_kist_needs_command" -f -a "restart" -d 'Restart one or more containers'
complete -c kist -n "__fish_kist_needs_command" -f -a "kill" -d 'Kill one or more running containers'
complete -c kist -n "__fish_kist_needs_command" -f -a "rm" -d 'Remove one or more containers'
complete -c kist -n "__fish_kist_needs_command" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c kist -n "__fish_kist_needs_command" -f -a "exec" -d 'Execute a command in a running container'
complete -c kist -n "__fish_kist_needs_command" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c kist -n "__fish_kist_needs_command" -f -a "rename" -d 'Rename a container'
complete -c kist -n "__fish_kist_needs_command" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c kist -n "__fish_kist_needs_command" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c kist -n "__fish_kist_needs_command" -f -a "unshare" -d 'Run a command inside kist\'s user namespace (as `podman unshare`)'
complete -c kist -n "__fish_kist_needs_command" -f -a "generate" -d 'Regenerate (or check) the man pages and shell completions'
complete -c kist -n "__fish_kist_needs_command" -f -a "__supervise" -d 'The per-container supervisor (internal)'
complete -c kist -n "__fish_kist_needs_command" -f -a "__netns" -d 'The holder of the rootless network namespace (internal)'
complete -c kist -n "__fish_kist_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kist -n "__fish_kist_using_subcommand images" -s f -l filter -d 'Filter output based on conditions provided (dangling, label, reference, before, since)' -r
complete -c kist -n "__fish_kist_using_subcommand images" -l format -d 'Format output using a Go template, "table", "table TEMPLATE" or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand images" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand images" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand images" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand images" -s a -l all -d 'Show all images (default hides intermediate images)'
complete -c kist -n "__fish_kist_using_subcommand images" -s q -l quiet -d 'Only show image IDs'
complete -c kist -n "__fish_kist_using_subcommand images" -l digests -d 'Show digests'
complete -c kist -n "__fish_kist_using_subcommand images" -l no-trunc -d 'Don\'t truncate output'
complete -c kist -n "__fish_kist_using_subcommand images" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand images" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -f -a "ls" -d 'List images'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -f -a "list" -d 'List images'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -f -a "rm" -d 'Remove one or more images'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -f -a "remove" -d 'Remove one or more images'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -f -a "inspect" -d 'Display detailed information on one or more images'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -f -a "history" -d 'Show the history of an image'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -f -a "prune" -d 'Remove unused images'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -f -a "load" -d 'Load images from a tar archive or standard input'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -f -a "save" -d 'Save one or more images to a tar archive'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -f -a "import" -d 'Import the contents of a tarball to create a filesystem image'
complete -c kist -n "__fish_kist_using_subcommand image; and not __fish_seen_subcommand_from ls list rm remove inspect history prune tag load save import help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output based on conditions provided (dangling, label, reference, before, since)' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a Go template, "table", "table TEMPLATE" or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from ls" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from ls" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all images (default hides intermediate images)'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only show image IDs'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from ls" -l digests -d 'Show digests'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output based on conditions provided (dangling, label, reference, before, since)' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from list" -l format -d 'Format output using a Go template, "table", "table TEMPLATE" or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from list" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from list" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all images (default hides intermediate images)'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only show image IDs'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from list" -l digests -d 'Show digests'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from rm" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from rm" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force removal of the image (all its names)'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from rm" -l no-prune -d 'Do not delete untagged parents'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from remove" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from remove" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from remove" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from remove" -s f -l force -d 'Force removal of the image (all its names)'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from remove" -l no-prune -d 'Do not delete untagged parents'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a Go template or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from inspect" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from inspect" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from history" -s H -l human -d 'Print sizes and dates in human readable format' -r -f -a "true\t''
false\t''"
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from history" -l format -d 'Format output using a Go template, "table", "table TEMPLATE" or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from history" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from history" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from history" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from history" -l no-trunc -d 'Don\'t truncate output'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from history" -s q -l quiet -d 'Only show image IDs'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from history" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from history" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (until=TIMESTAMP, label=KEY[=VALUE])' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from prune" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from prune" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from prune" -s a -l all -d 'Remove all unused images, not just dangling ones'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from tag" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from tag" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from tag" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from tag" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from tag" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from load" -s i -l input -d 'Read from tar archive file, instead of standard input' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from load" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from load" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from load" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from load" -s q -l quiet -d 'Suppress the load progress'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from load" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from load" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from save" -s o -l output -d 'Write to a file, instead of standard output' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from save" -l format -d 'Archive format' -r -f -a "docker-archive\t'docker save\'s layout (also a valid OCI layout)'
oci-archive\t'An OCI image layout in a tar archive'"
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from save" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from save" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from save" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from save" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from save" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from import" -s c -l change -d 'Apply a Dockerfile instruction to the image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from import" -s m -l message -d 'Set a commit message for the imported image' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from import" -l platform -d 'Set the platform (os/arch[/variant]) of the image' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from import" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from import" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from import" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from import" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List images'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more images'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display detailed information on one or more images'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "history" -d 'Show the history of an image'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove unused images'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "load" -d 'Load images from a tar archive or standard input'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "save" -d 'Save one or more images to a tar archive'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "import" -d 'Import the contents of a tarball to create a filesystem image'
complete -c kist -n "__fish_kist_using_subcommand image; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kist -n "__fish_kist_using_subcommand pull" -l platform -d 'Platform OS/ARCH[/VARIANT] (default: the host\'s)' -r
complete -c kist -n "__fish_kist_using_subcommand pull" -l arch -d 'Architecture (overrides --platform\'s)' -r
complete -c kist -n "__fish_kist_using_subcommand pull" -l os -d 'Operating system (overrides --platform\'s)' -r
complete -c kist -n "__fish_kist_using_subcommand pull" -l variant -d 'Architecture variant (overrides --platform\'s)' -r
complete -c kist -n "__fish_kist_using_subcommand pull" -l tls-verify -d 'Require HTTPS and verify certificates (default: as registries.conf says; loopback registries may use plain HTTP, as with docker)' -r -f -a "true\t''
false\t''"
complete -c kist -n "__fish_kist_using_subcommand pull" -l cert-dir -d 'A directory with the registry\'s CA (ca.crt) and client certificates' -r -F
complete -c kist -n "__fish_kist_using_subcommand pull" -l creds -d 'Credentials (USERNAME[:PASSWORD]) to use instead of stored ones' -r
complete -c kist -n "__fish_kist_using_subcommand pull" -l authfile -d 'The credentials file (default: podman\'s auth.json, then docker\'s config.json)' -r -F
complete -c kist -n "__fish_kist_using_subcommand pull" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand pull" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand pull" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand pull" -s a -l all-tags -d 'Download all tagged images in the repository'
complete -c kist -n "__fish_kist_using_subcommand pull" -s q -l quiet -d 'Suppress progress output (the image ID is still printed)'
complete -c kist -n "__fish_kist_using_subcommand pull" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand pull" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand push" -l compression-format -d 'Layer compression' -r -f -a "gzip\t''
zstd\t''"
complete -c kist -n "__fish_kist_using_subcommand push" -l compression-level -d 'Compression level (gzip 0-9, default 1, the fastest; zstd 1-19, default 3)' -r
complete -c kist -n "__fish_kist_using_subcommand push" -l digestfile -d 'Write the pushed manifest\'s digest to this file' -r -F
complete -c kist -n "__fish_kist_using_subcommand push" -l tls-verify -d 'Require HTTPS and verify certificates (default: as registries.conf says; loopback registries may use plain HTTP, as with docker)' -r -f -a "true\t''
false\t''"
complete -c kist -n "__fish_kist_using_subcommand push" -l cert-dir -d 'A directory with the registry\'s CA (ca.crt) and client certificates' -r -F
complete -c kist -n "__fish_kist_using_subcommand push" -l creds -d 'Credentials (USERNAME[:PASSWORD]) to use instead of stored ones' -r
complete -c kist -n "__fish_kist_using_subcommand push" -l authfile -d 'The credentials file (default: podman\'s auth.json, then docker\'s config.json)' -r -F
complete -c kist -n "__fish_kist_using_subcommand push" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand push" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand push" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand push" -s q -l quiet -d 'Suppress progress output'
complete -c kist -n "__fish_kist_using_subcommand push" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand push" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand login" -s u -l username -d 'Username' -r
complete -c kist -n "__fish_kist_using_subcommand login" -s p -l password -d 'Password (prefer --password-stdin)' -r
complete -c kist -n "__fish_kist_using_subcommand login" -l tls-verify -d 'Require HTTPS and verify certificates (default: as registries.conf says; loopback registries may use plain HTTP, as with docker)' -r -f -a "true\t''
false\t''"
complete -c kist -n "__fish_kist_using_subcommand login" -l cert-dir -d 'A directory with the registry\'s CA (ca.crt) and client certificates' -r -F
complete -c kist -n "__fish_kist_using_subcommand login" -l creds -d 'Credentials (USERNAME[:PASSWORD]) to use instead of stored ones' -r
complete -c kist -n "__fish_kist_using_subcommand login" -l authfile -d 'The credentials file (default: podman\'s auth.json, then docker\'s config.json)' -r -F
complete -c kist -n "__fish_kist_using_subcommand login" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand login" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand login" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand login" -l password-stdin -d 'Take the password from standard input'
complete -c kist -n "__fish_kist_using_subcommand login" -l get-login -d 'Print the username stored for the registry'
complete -c kist -n "__fish_kist_using_subcommand login" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand login" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand logout" -l authfile -d 'The credentials file' -r -F
complete -c kist -n "__fish_kist_using_subcommand logout" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand logout" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand logout" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand logout" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand logout" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand search" -l limit -d 'At most this many results per registry' -r
complete -c kist -n "__fish_kist_using_subcommand search" -s f -l filter -d 'Filter: stars=N, is-official=true|false' -r
complete -c kist -n "__fish_kist_using_subcommand search" -l format -d 'Go template, or table / json' -r
complete -c kist -n "__fish_kist_using_subcommand search" -l tls-verify -d 'Require HTTPS and verify certificates (default: as registries.conf says; loopback registries may use plain HTTP, as with docker)' -r -f -a "true\t''
false\t''"
complete -c kist -n "__fish_kist_using_subcommand search" -l cert-dir -d 'A directory with the registry\'s CA (ca.crt) and client certificates' -r -F
complete -c kist -n "__fish_kist_using_subcommand search" -l creds -d 'Credentials (USERNAME[:PASSWORD]) to use instead of stored ones' -r
complete -c kist -n "__fish_kist_using_subcommand search" -l authfile -d 'The credentials file (default: podman\'s auth.json, then docker\'s config.json)' -r -F
complete -c kist -n "__fish_kist_using_subcommand search" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand search" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand search" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand search" -l no-trunc -d 'Do not truncate descriptions'
complete -c kist -n "__fish_kist_using_subcommand search" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand search" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -f -a "inspect" -d 'Show a manifest or image index from a registry'
complete -c kist -n "__fish_kist_using_subcommand manifest; and not __fish_seen_subcommand_from inspect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kist -n "__fish_kist_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l tls-verify -d 'Require HTTPS and verify certificates (default: as registries.conf says; loopback registries may use plain HTTP, as with docker)' -r -f -a "true\t''
false\t''"
complete -c kist -n "__fish_kist_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l cert-dir -d 'A directory with the registry\'s CA (ca.crt) and client certificates' -r -F
complete -c kist -n "__fish_kist_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l creds -d 'Credentials (USERNAME[:PASSWORD]) to use instead of stored ones' -r
complete -c kist -n "__fish_kist_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l authfile -d 'The credentials file (default: podman\'s auth.json, then docker\'s config.json)' -r -F
complete -c kist -n "__fish_kist_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -l insecure -d 'Allow plain HTTP and unverified TLS (docker\'s flag; same as --tls-verify=false)'
complete -c kist -n "__fish_kist_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand manifest; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand manifest; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show a manifest or image index from a registry'
complete -c kist -n "__fish_kist_using_subcommand manifest; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kist -n "__fish_kist_using_subcommand load" -s i -l input -d 'Read from tar archive file, instead of standard input' -r -F
complete -c kist -n "__fish_kist_using_subcommand load" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand load" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand load" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand load" -s q -l quiet -d 'Suppress the load progress'
complete -c kist -n "__fish_kist_using_subcommand load" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand load" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand save" -s o -l output -d 'Write to a file, instead of standard output' -r -F
complete -c kist -n "__fish_kist_using_subcommand save" -l format -d 'Archive format' -r -f -a "docker-archive\t'docker save\'s layout (also a valid OCI layout)'
oci-archive\t'An OCI image layout in a tar archive'"
complete -c kist -n "__fish_kist_using_subcommand save" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand save" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand save" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand save" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kist -n "__fish_kist_using_subcommand save" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand import" -s c -l change -d 'Apply a Dockerfile instruction to the image (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)' -r
complete -c kist -n "__fish_kist_using_subcommand import" -s m -l message -d 'Set a commit message for the imported image' -r
complete -c kist -n "__fish_kist_using_subcommand import" -l platform -d 'Set the platform (os/arch[/variant]) of the image' -r
complete -c kist -n "__fish_kist_using_subcommand import" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand import" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand import" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand import" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand import" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand rmi" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand rmi" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand rmi" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand rmi" -s f -l force -d 'Force removal of the image (all its names)'
complete -c kist -n "__fish_kist_using_subcommand rmi" -l no-prune -d 'Do not delete untagged parents'
complete -c kist -n "__fish_kist_using_subcommand rmi" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand rmi" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand tag" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand tag" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand tag" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand tag" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand tag" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand history" -s H -l human -d 'Print sizes and dates in human readable format' -r -f -a "true\t''
false\t''"
complete -c kist -n "__fish_kist_using_subcommand history" -l format -d 'Format output using a Go template, "table", "table TEMPLATE" or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand history" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand history" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand history" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand history" -l no-trunc -d 'Don\'t truncate output'
complete -c kist -n "__fish_kist_using_subcommand history" -s q -l quiet -d 'Only show image IDs'
complete -c kist -n "__fish_kist_using_subcommand history" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand history" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand inspect" -s f -l format -d 'Format output using a Go template or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand inspect" -l type -d 'Only inspect objects of this type: container, image or network' -r
complete -c kist -n "__fish_kist_using_subcommand inspect" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand inspect" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand inspect" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand inspect" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand inspect" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand version" -s f -l format -d 'Format output using a Go template or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand version" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand version" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand version" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand version" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand version" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand info" -s f -l format -d 'Format output using a Go template or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand info" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand info" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand info" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand info" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand info" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand ps" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c kist -n "__fish_kist_using_subcommand ps" -s f -l filter -d 'Filter output based on conditions provided (id, name, status, ancestor, label, exited, before, since)' -r
complete -c kist -n "__fish_kist_using_subcommand ps" -l format -d 'Format output using a Go template, "table", "table TEMPLATE" or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand ps" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand ps" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand ps" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand ps" -s a -l all -d 'Show all containers (default shows just running)'
complete -c kist -n "__fish_kist_using_subcommand ps" -s q -l quiet -d 'Only display container IDs'
complete -c kist -n "__fish_kist_using_subcommand ps" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c kist -n "__fish_kist_using_subcommand ps" -s s -l size -d 'Display total file sizes'
complete -c kist -n "__fish_kist_using_subcommand ps" -l no-trunc -d 'Don\'t truncate output'
complete -c kist -n "__fish_kist_using_subcommand ps" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand ps" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "ls" -d 'List containers'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "list" -d 'List containers'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "ps" -d 'List containers'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "inspect" -d 'Display detailed information on one or more containers'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "prune" -d 'Remove all stopped containers'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "logs" -d 'Fetch the logs of a container'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "run" -d 'Create and run a new container from an image'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "create" -d 'Create a new container'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "start" -d 'Start one or more stopped containers'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "stop" -d 'Stop one or more running containers'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "restart" -d 'Restart one or more containers'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "kill" -d 'Kill one or more running containers'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "rm" -d 'Remove one or more containers'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "exec" -d 'Execute a command in a running container'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "rename" -d 'Rename a container'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c kist -n "__fish_kist_using_subcommand container; and not __fish_seen_subcommand_from ls list ps inspect prune logs run create start stop restart kill rm wait exec attach rename export port help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ls" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output based on conditions provided (id, name, status, ancestor, label, exited, before, since)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a Go template, "table", "table TEMPLATE" or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ls" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ls" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ls" -s a -l all -d 'Show all containers (default shows just running)'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display container IDs'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ls" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ls" -s s -l size -d 'Display total file sizes'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Don\'t truncate output'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from list" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output based on conditions provided (id, name, status, ancestor, label, exited, before, since)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from list" -l format -d 'Format output using a Go template, "table", "table TEMPLATE" or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from list" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from list" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from list" -s a -l all -d 'Show all containers (default shows just running)'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display container IDs'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from list" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from list" -s s -l size -d 'Display total file sizes'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from list" -l no-trunc -d 'Don\'t truncate output'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ps" -s n -l last -d 'Show n last created containers (includes all states)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ps" -s f -l filter -d 'Filter output based on conditions provided (id, name, status, ancestor, label, exited, before, since)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ps" -l format -d 'Format output using a Go template, "table", "table TEMPLATE" or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ps" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ps" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ps" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ps" -s a -l all -d 'Show all containers (default shows just running)'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ps" -s q -l quiet -d 'Only display container IDs'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ps" -s l -l latest -d 'Show the latest created container (includes all states)'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ps" -s s -l size -d 'Display total file sizes'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ps" -l no-trunc -d 'Don\'t truncate output'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ps" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from ps" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a Go template or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from inspect" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from inspect" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from inspect" -s s -l size -d 'Display total file sizes'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (until=TIMESTAMP, label=KEY[=VALUE])' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from prune" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from prune" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from logs" -s n -l tail -d 'Number of lines to show from the end of the logs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from logs" -l since -d 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from logs" -l until -d 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from logs" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from logs" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from logs" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from logs" -s f -l follow -d 'Follow log output'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from logs" -s t -l timestamps -d 'Show timestamps'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from logs" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from logs" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r -f -a "stdin\t''
stdout\t''
stderr\t''"
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l sig-proxy -d 'Proxy received signals to the process' -r -f -a "true\t''
false\t''"
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l name -d 'Assign a name to the container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -s e -l env -d 'Set environment variables' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -s h -l hostname -d 'Container host name' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -s v -l volume -d 'Bind mount a volume (HOST:CONTAINER[:ro])' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -s l -l label -d 'Set meta data on a container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l network -l net -d 'Connect a container to a network: the default network (pasta, else slirp4netns), none, host, container:NAME, pasta, slirp4netns, or a user-defined network (repeat for more user-defined networks)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp], ranges)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l expose -d 'Expose a port or a range of ports (PORT[/PROTO])' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l dns -d 'Set custom DNS servers' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l dns-search -d 'Set custom DNS search domains ("." for none)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l dns-option -l dns-opt -d 'Set DNS options' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l add-host -d 'Add a custom host-to-IP mapping (HOST:IP; IP may be host-gateway)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l ip -d 'IPv4 address on the (first) user-defined network' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l ip6 -d 'IPv6 address on a user-defined network (not supported yet)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l network-alias -l net-alias -d 'Network-scoped alias on the user-defined networks' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l cap-add -d 'Add Linux capabilities' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l security-opt -d 'Security options' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l ulimit -d 'Ulimit options, as NAME=SOFT[:HARD] (e.g. nofile=1024:2048; -1 is unlimited)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l stop-signal -d 'Signal to stop the container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l userns -d 'User namespace to use: keep-id (rootless: you keep your uid and gid inside)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l pull -d 'Pull the image: missing (when not stored), always, never, newer' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l platform -d 'Platform of the image to pull (OS/ARCH[/VARIANT])' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l log-opt -d 'Log driver options (max-size, max-file)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l runtime -d 'Runtime to use for this container (kist, runc, crun, youki or a path)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -s d -l detach -d 'Run container in background and print container ID'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l help -d 'Print help (-h is --hostname, as in docker)'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l rm -d 'Automatically remove the container when it exits'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -s P -l publish-all -d 'Publish all exposed ports to free host ports'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l privileged -d 'Give extended privileges to this container'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from run" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l name -d 'Assign a name to the container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -s e -l env -d 'Set environment variables' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -s h -l hostname -d 'Container host name' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -s v -l volume -d 'Bind mount a volume (HOST:CONTAINER[:ro])' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -s l -l label -d 'Set meta data on a container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l network -l net -d 'Connect a container to a network: the default network (pasta, else slirp4netns), none, host, container:NAME, pasta, slirp4netns, or a user-defined network (repeat for more user-defined networks)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp], ranges)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l expose -d 'Expose a port or a range of ports (PORT[/PROTO])' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l dns -d 'Set custom DNS servers' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l dns-search -d 'Set custom DNS search domains ("." for none)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l dns-option -l dns-opt -d 'Set DNS options' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l add-host -d 'Add a custom host-to-IP mapping (HOST:IP; IP may be host-gateway)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l ip -d 'IPv4 address on the (first) user-defined network' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l ip6 -d 'IPv6 address on a user-defined network (not supported yet)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l network-alias -l net-alias -d 'Network-scoped alias on the user-defined networks' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l cap-add -d 'Add Linux capabilities' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l security-opt -d 'Security options' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l ulimit -d 'Ulimit options, as NAME=SOFT[:HARD] (e.g. nofile=1024:2048; -1 is unlimited)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l stop-signal -d 'Signal to stop the container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l userns -d 'User namespace to use: keep-id (rootless: you keep your uid and gid inside)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l pull -d 'Pull the image: missing (when not stored), always, never, newer' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l platform -d 'Platform of the image to pull (OS/ARCH[/VARIANT])' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l log-opt -d 'Log driver options (max-size, max-file)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l runtime -d 'Runtime to use for this container (kist, runc, crun, youki or a path)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l help -d 'Print help (-h is --hostname, as in docker)'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l rm -d 'Automatically remove the container when it exits'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -s P -l publish-all -d 'Publish all exposed ports to free host ports'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l privileged -d 'Give extended privileges to this container'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from start" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from start" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from start" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from start" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from start" -s a -l attach -d 'Attach STDOUT/STDERR and forward signals'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from start" -s i -l interactive -d 'Attach container\'s STDIN'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from stop" -s t -l timeout -l time -d 'Seconds to wait before killing the container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from stop" -s s -l signal -d 'Signal to send to the container (default: its stop signal)' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from stop" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from stop" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from stop" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from stop" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from stop" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from restart" -s t -l timeout -l time -d 'Seconds to wait before killing the container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from restart" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from restart" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from restart" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from restart" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from restart" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from kill" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from kill" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from kill" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from kill" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from kill" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from rm" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from rm" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from rm" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from rm" -s v -l volumes -d 'Remove anonymous volumes associated with the container (kist makes none yet: `-v` takes bind mounts only, which are never removed)'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from wait" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from wait" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from wait" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from wait" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from wait" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from exec" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from exec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from exec" -s e -l env -d 'Set environment variables' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from exec" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from exec" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from exec" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from exec" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from exec" -s d -l detach -d 'Detached mode: run command in the background'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from exec" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from exec" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from exec" -l privileged -d 'Give extended privileges to the command'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from exec" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from exec" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from attach" -l sig-proxy -d 'Proxy all received signals to the process' -r -f -a "true\t''
false\t''"
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from attach" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from attach" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from attach" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from attach" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from attach" -l no-stdin -d 'Do not attach STDIN'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from attach" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from attach" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from rename" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from rename" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from rename" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from rename" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from rename" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from export" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from export" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from export" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from export" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from port" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from port" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from port" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from port" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from port" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List containers'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display detailed information on one or more containers'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove all stopped containers'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "logs" -d 'Fetch the logs of a container'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "run" -d 'Create and run a new container from an image'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a new container'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "start" -d 'Start one or more stopped containers'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "stop" -d 'Stop one or more running containers'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "restart" -d 'Restart one or more containers'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "kill" -d 'Kill one or more running containers'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more containers'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "exec" -d 'Execute a command in a running container'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "rename" -d 'Rename a container'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c kist -n "__fish_kist_using_subcommand container; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "create" -d 'Create a network'
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "ls" -d 'List networks'
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "list" -d 'List networks'
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "rm" -d 'Remove one or more networks'
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "remove" -d 'Remove one or more networks'
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "prune" -d 'Remove all unused networks'
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "connect" -d 'Connect a container to a network'
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "disconnect" -d 'Disconnect a container from a network'
complete -c kist -n "__fish_kist_using_subcommand network; and not __fish_seen_subcommand_from create ls list inspect rm remove prune connect disconnect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from create" -s d -l driver -d 'Driver to manage the network (bridge)' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from create" -l subnet -d 'Subnet in CIDR format [default: the first free one of 10.89.1.0/24 … 10.89.255.0/24]' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from create" -l gateway -d 'IPv4 gateway for the subnet [default: its first address]' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from create" -l label -d 'Set metadata on a network' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from create" -l ip-range -d 'Allocate container IPs from a sub-range (not supported yet)' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from create" -s o -l opt -d 'Set driver specific options (not supported yet)' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from create" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from create" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from create" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from create" -l internal -d 'Restrict external access to the network'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from create" -l ipv6 -d 'Enable IPv6 networking (not supported yet)'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from ls" -s f -l filter -d 'Filter output based on conditions provided (name, id, driver, label, scope, type=custom|builtin, dangling)' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from ls" -l format -d 'Format output using a Go template, "table", "table TEMPLATE" or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from ls" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from ls" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from ls" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from ls" -s q -l quiet -d 'Only display network IDs'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from ls" -l no-trunc -d 'Do not truncate the output'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from list" -s f -l filter -d 'Filter output based on conditions provided (name, id, driver, label, scope, type=custom|builtin, dangling)' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from list" -l format -d 'Format output using a Go template, "table", "table TEMPLATE" or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from list" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from list" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from list" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only display network IDs'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from list" -l no-trunc -d 'Do not truncate the output'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from inspect" -s f -l format -d 'Format output using a Go template or "json"' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from inspect" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from inspect" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from inspect" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from rm" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from rm" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from rm" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from rm" -s f -l force -d 'Do not error if the network does not exist'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from rm" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from rm" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from remove" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from remove" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from remove" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from remove" -s f -l force -d 'Do not error if the network does not exist'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from prune" -l filter -d 'Provide filter values (until=TIMESTAMP, label=KEY[=VALUE])' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from prune" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from prune" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from prune" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from prune" -s f -l force -d 'Do not prompt for confirmation'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from prune" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from prune" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from connect" -l alias -d 'Add network-scoped alias for the container' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from connect" -l ip -d 'IPv4 address (e.g., "10.89.1.7")' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from connect" -l ip6 -d 'IPv6 address (not supported yet)' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from connect" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from connect" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from connect" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from connect" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from connect" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from disconnect" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s f -l force -d 'Force the container to disconnect from a network'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from disconnect" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create a network'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List networks'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "rm" -d 'Remove one or more networks'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "prune" -d 'Remove all unused networks'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "connect" -d 'Connect a container to a network'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "disconnect" -d 'Disconnect a container from a network'
complete -c kist -n "__fish_kist_using_subcommand network; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kist -n "__fish_kist_using_subcommand logs" -s n -l tail -d 'Number of lines to show from the end of the logs' -r
complete -c kist -n "__fish_kist_using_subcommand logs" -l since -d 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' -r
complete -c kist -n "__fish_kist_using_subcommand logs" -l until -d 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)' -r
complete -c kist -n "__fish_kist_using_subcommand logs" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand logs" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand logs" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand logs" -s f -l follow -d 'Follow log output'
complete -c kist -n "__fish_kist_using_subcommand logs" -s t -l timestamps -d 'Show timestamps'
complete -c kist -n "__fish_kist_using_subcommand logs" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand logs" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand run" -s a -l attach -d 'Attach to STDIN, STDOUT or STDERR' -r -f -a "stdin\t''
stdout\t''
stderr\t''"
complete -c kist -n "__fish_kist_using_subcommand run" -l sig-proxy -d 'Proxy received signals to the process' -r -f -a "true\t''
false\t''"
complete -c kist -n "__fish_kist_using_subcommand run" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l name -d 'Assign a name to the container' -r
complete -c kist -n "__fish_kist_using_subcommand run" -s e -l env -d 'Set environment variables' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c kist -n "__fish_kist_using_subcommand run" -s w -l workdir -d 'Working directory inside the container' -r
complete -c kist -n "__fish_kist_using_subcommand run" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c kist -n "__fish_kist_using_subcommand run" -s h -l hostname -d 'Container host name' -r
complete -c kist -n "__fish_kist_using_subcommand run" -s v -l volume -d 'Bind mount a volume (HOST:CONTAINER[:ro])' -r
complete -c kist -n "__fish_kist_using_subcommand run" -s l -l label -d 'Set meta data on a container' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l network -l net -d 'Connect a container to a network: the default network (pasta, else slirp4netns), none, host, container:NAME, pasta, slirp4netns, or a user-defined network (repeat for more user-defined networks)' -r
complete -c kist -n "__fish_kist_using_subcommand run" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp], ranges)' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l expose -d 'Expose a port or a range of ports (PORT[/PROTO])' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l dns -d 'Set custom DNS servers' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l dns-search -d 'Set custom DNS search domains ("." for none)' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l dns-option -l dns-opt -d 'Set DNS options' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l add-host -d 'Add a custom host-to-IP mapping (HOST:IP; IP may be host-gateway)' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l ip -d 'IPv4 address on the (first) user-defined network' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l ip6 -d 'IPv6 address on a user-defined network (not supported yet)' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l network-alias -l net-alias -d 'Network-scoped alias on the user-defined networks' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l cap-add -d 'Add Linux capabilities' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l security-opt -d 'Security options' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l ulimit -d 'Ulimit options, as NAME=SOFT[:HARD] (e.g. nofile=1024:2048; -1 is unlimited)' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l stop-signal -d 'Signal to stop the container' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l userns -d 'User namespace to use: keep-id (rootless: you keep your uid and gid inside)' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l pull -d 'Pull the image: missing (when not stored), always, never, newer' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l platform -d 'Platform of the image to pull (OS/ARCH[/VARIANT])' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l log-opt -d 'Log driver options (max-size, max-file)' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l runtime -d 'Runtime to use for this container (kist, runc, crun, youki or a path)' -r
complete -c kist -n "__fish_kist_using_subcommand run" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand run" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand run" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand run" -s d -l detach -d 'Run container in background and print container ID'
complete -c kist -n "__fish_kist_using_subcommand run" -l help -d 'Print help (-h is --hostname, as in docker)'
complete -c kist -n "__fish_kist_using_subcommand run" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c kist -n "__fish_kist_using_subcommand run" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c kist -n "__fish_kist_using_subcommand run" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c kist -n "__fish_kist_using_subcommand run" -l rm -d 'Automatically remove the container when it exits'
complete -c kist -n "__fish_kist_using_subcommand run" -s P -l publish-all -d 'Publish all exposed ports to free host ports'
complete -c kist -n "__fish_kist_using_subcommand run" -l privileged -d 'Give extended privileges to this container'
complete -c kist -n "__fish_kist_using_subcommand run" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c kist -n "__fish_kist_using_subcommand run" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand create" -l name -d 'Assign a name to the container' -r
complete -c kist -n "__fish_kist_using_subcommand create" -s e -l env -d 'Set environment variables' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c kist -n "__fish_kist_using_subcommand create" -s w -l workdir -d 'Working directory inside the container' -r
complete -c kist -n "__fish_kist_using_subcommand create" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l entrypoint -d 'Overwrite the default ENTRYPOINT of the image' -r
complete -c kist -n "__fish_kist_using_subcommand create" -s h -l hostname -d 'Container host name' -r
complete -c kist -n "__fish_kist_using_subcommand create" -s v -l volume -d 'Bind mount a volume (HOST:CONTAINER[:ro])' -r
complete -c kist -n "__fish_kist_using_subcommand create" -s l -l label -d 'Set meta data on a container' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l network -l net -d 'Connect a container to a network: the default network (pasta, else slirp4netns), none, host, container:NAME, pasta, slirp4netns, or a user-defined network (repeat for more user-defined networks)' -r
complete -c kist -n "__fish_kist_using_subcommand create" -s p -l publish -d 'Publish a container\'s port(s) to the host ([IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp], ranges)' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l expose -d 'Expose a port or a range of ports (PORT[/PROTO])' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l dns -d 'Set custom DNS servers' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l dns-search -d 'Set custom DNS search domains ("." for none)' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l dns-option -l dns-opt -d 'Set DNS options' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l add-host -d 'Add a custom host-to-IP mapping (HOST:IP; IP may be host-gateway)' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l ip -d 'IPv4 address on the (first) user-defined network' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l ip6 -d 'IPv6 address on a user-defined network (not supported yet)' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l network-alias -l net-alias -d 'Network-scoped alias on the user-defined networks' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l cap-add -d 'Add Linux capabilities' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l cap-drop -d 'Drop Linux capabilities' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l security-opt -d 'Security options' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l ulimit -d 'Ulimit options, as NAME=SOFT[:HARD] (e.g. nofile=1024:2048; -1 is unlimited)' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l stop-signal -d 'Signal to stop the container' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l stop-timeout -d 'Timeout (in seconds) to stop a container' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l userns -d 'User namespace to use: keep-id (rootless: you keep your uid and gid inside)' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l pull -d 'Pull the image: missing (when not stored), always, never, newer' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l platform -d 'Platform of the image to pull (OS/ARCH[/VARIANT])' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l log-opt -d 'Log driver options (max-size, max-file)' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l runtime -d 'Runtime to use for this container (kist, runc, crun, youki or a path)' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand create" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand create" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand create" -l help -d 'Print help (-h is --hostname, as in docker)'
complete -c kist -n "__fish_kist_using_subcommand create" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c kist -n "__fish_kist_using_subcommand create" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c kist -n "__fish_kist_using_subcommand create" -l read-only -d 'Mount the container\'s root filesystem as read only'
complete -c kist -n "__fish_kist_using_subcommand create" -l rm -d 'Automatically remove the container when it exits'
complete -c kist -n "__fish_kist_using_subcommand create" -s P -l publish-all -d 'Publish all exposed ports to free host ports'
complete -c kist -n "__fish_kist_using_subcommand create" -l privileged -d 'Give extended privileges to this container'
complete -c kist -n "__fish_kist_using_subcommand create" -l init -d 'Run an init inside the container that forwards signals and reaps processes'
complete -c kist -n "__fish_kist_using_subcommand create" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand start" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c kist -n "__fish_kist_using_subcommand start" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand start" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand start" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand start" -s a -l attach -d 'Attach STDOUT/STDERR and forward signals'
complete -c kist -n "__fish_kist_using_subcommand start" -s i -l interactive -d 'Attach container\'s STDIN'
complete -c kist -n "__fish_kist_using_subcommand start" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand start" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand stop" -s t -l timeout -l time -d 'Seconds to wait before killing the container' -r
complete -c kist -n "__fish_kist_using_subcommand stop" -s s -l signal -d 'Signal to send to the container (default: its stop signal)' -r
complete -c kist -n "__fish_kist_using_subcommand stop" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand stop" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand stop" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand stop" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand stop" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand restart" -s t -l timeout -l time -d 'Seconds to wait before killing the container' -r
complete -c kist -n "__fish_kist_using_subcommand restart" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand restart" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand restart" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand restart" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand restart" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand kill" -s s -l signal -d 'Signal to send to the container' -r
complete -c kist -n "__fish_kist_using_subcommand kill" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand kill" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand kill" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand kill" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand kill" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand rm" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand rm" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand rm" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand rm" -s f -l force -d 'Force the removal of a running container (uses SIGKILL)'
complete -c kist -n "__fish_kist_using_subcommand rm" -s v -l volumes -d 'Remove anonymous volumes associated with the container (kist makes none yet: `-v` takes bind mounts only, which are never removed)'
complete -c kist -n "__fish_kist_using_subcommand rm" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand rm" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand wait" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand wait" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand wait" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand wait" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand wait" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand exec" -s u -l user -d 'Username or UID (format: <name|uid>[:<group|gid>])' -r
complete -c kist -n "__fish_kist_using_subcommand exec" -s w -l workdir -d 'Working directory inside the container' -r
complete -c kist -n "__fish_kist_using_subcommand exec" -s e -l env -d 'Set environment variables' -r
complete -c kist -n "__fish_kist_using_subcommand exec" -l env-file -d 'Read in a file of environment variables' -r -F
complete -c kist -n "__fish_kist_using_subcommand exec" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand exec" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand exec" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand exec" -s d -l detach -d 'Detached mode: run command in the background'
complete -c kist -n "__fish_kist_using_subcommand exec" -s i -l interactive -d 'Keep STDIN open even if not attached'
complete -c kist -n "__fish_kist_using_subcommand exec" -s t -l tty -d 'Allocate a pseudo-TTY'
complete -c kist -n "__fish_kist_using_subcommand exec" -l privileged -d 'Give extended privileges to the command'
complete -c kist -n "__fish_kist_using_subcommand exec" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand exec" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand attach" -l sig-proxy -d 'Proxy all received signals to the process' -r -f -a "true\t''
false\t''"
complete -c kist -n "__fish_kist_using_subcommand attach" -l detach-keys -d 'Override the key sequence for detaching a container' -r
complete -c kist -n "__fish_kist_using_subcommand attach" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand attach" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand attach" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand attach" -l no-stdin -d 'Do not attach STDIN'
complete -c kist -n "__fish_kist_using_subcommand attach" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand attach" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand rename" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand rename" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand rename" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand rename" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand rename" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand export" -s o -l output -d 'Write to a file, instead of STDOUT' -r -F
complete -c kist -n "__fish_kist_using_subcommand export" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand export" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand export" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand export" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand export" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand port" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand port" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand port" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand port" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand port" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand unshare" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand unshare" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand unshare" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand unshare" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand unshare" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand generate" -l dir -d 'The repository root that holds man/ and completions/' -r -F
complete -c kist -n "__fish_kist_using_subcommand generate" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand generate" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand generate" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand generate" -l check -d 'Only check that the files are current'
complete -c kist -n "__fish_kist_using_subcommand generate" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand generate" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand __supervise" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand __supervise" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand __supervise" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand __supervise" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand __supervise" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand __netns" -l root -d 'Where images and containers are stored [default: ~/.local/share/kist, as root /var/lib/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand __netns" -l runroot -d 'Where runtime state is kept [default: $XDG_RUNTIME_DIR/kist, as root /run/kist]' -r -F
complete -c kist -n "__fish_kist_using_subcommand __netns" -l storage-driver -d 'Storage driver: overlay, fuse-overlayfs or vfs' -r
complete -c kist -n "__fish_kist_using_subcommand __netns" -s h -l help -d 'Print help'
complete -c kist -n "__fish_kist_using_subcommand __netns" -s V -l version -d 'Print version'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "images" -d 'List images'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "image" -d 'Manage images'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "pull" -d 'Download an image from a registry'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "push" -d 'Upload an image to a registry'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "login" -d 'Log in to a registry'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "logout" -d 'Log out from a registry'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "search" -d 'Search registries for images'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "manifest" -d 'Inspect manifests and image indexes in registries'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "load" -d 'Load images from a tar archive or standard input'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "save" -d 'Save one or more images to a tar archive (standard output by default)'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "import" -d 'Import the contents of a tarball to create a filesystem image'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "rmi" -d 'Remove one or more images'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "history" -d 'Show the history of an image'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "inspect" -d 'Return low-level information on kist objects'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "version" -d 'Show the kist version information'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "info" -d 'Display system-wide information'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "ps" -d 'List containers'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "container" -d 'Manage containers'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "network" -d 'Manage networks'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "logs" -d 'Fetch the logs of a container'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "run" -d 'Create and run a new container from an image'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "create" -d 'Create a new container'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "start" -d 'Start one or more stopped containers'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "stop" -d 'Stop one or more running containers'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "restart" -d 'Restart one or more containers'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "kill" -d 'Kill one or more running containers'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "rm" -d 'Remove one or more containers'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "exec" -d 'Execute a command in a running container'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "rename" -d 'Rename a container'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "unshare" -d 'Run a command inside kist\'s user namespace (as `podman unshare`)'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "generate" -d 'Regenerate (or check) the man pages and shell completions'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "__supervise" -d 'The per-container supervisor (internal)'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "__netns" -d 'The holder of the rootless network namespace (internal)'
complete -c kist -n "__fish_kist_using_subcommand help; and not __fish_seen_subcommand_from images image pull push login logout search manifest load save import rmi tag history inspect version info ps container network logs run create start stop restart kill rm wait exec attach rename export port unshare generate __supervise __netns help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "ls" -d 'List images'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "rm" -d 'Remove one or more images'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "inspect" -d 'Display detailed information on one or more images'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "history" -d 'Show the history of an image'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "prune" -d 'Remove unused images'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "tag" -d 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "load" -d 'Load images from a tar archive or standard input'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "save" -d 'Save one or more images to a tar archive'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from image" -f -a "import" -d 'Import the contents of a tarball to create a filesystem image'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from manifest" -f -a "inspect" -d 'Show a manifest or image index from a registry'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "ls" -d 'List containers'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "inspect" -d 'Display detailed information on one or more containers'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "prune" -d 'Remove all stopped containers'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "logs" -d 'Fetch the logs of a container'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "run" -d 'Create and run a new container from an image'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "create" -d 'Create a new container'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "start" -d 'Start one or more stopped containers'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "stop" -d 'Stop one or more running containers'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "restart" -d 'Restart one or more containers'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "kill" -d 'Kill one or more running containers'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "rm" -d 'Remove one or more containers'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "wait" -d 'Block until one or more containers stop, then print their exit codes'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "exec" -d 'Execute a command in a running container'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "attach" -d 'Attach local standard input, output, and error streams to a running container'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "rename" -d 'Rename a container'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "export" -d 'Export a container\'s filesystem as a tar archive'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from container" -f -a "port" -d 'List port mappings or a specific mapping for the container'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "create" -d 'Create a network'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "ls" -d 'List networks'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "inspect" -d 'Display detailed information on one or more networks'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "rm" -d 'Remove one or more networks'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "prune" -d 'Remove all unused networks'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "connect" -d 'Connect a container to a network'
complete -c kist -n "__fish_kist_using_subcommand help; and __fish_seen_subcommand_from network" -f -a "disconnect" -d 'Disconnect a container from a network'
