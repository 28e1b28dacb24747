package dev.latchkey.daemon.door.keyring;

import dev.latchkey.daemon.door.Utf8Input;

import java.util.ArrayList;
import java.util.List;

/**
 * A command line of python-keyring's CLI as pip's {@code --keyring-provider subprocess} (and uv)
 * run it: {@code get SERVICE USERNAME}, {@code set SERVICE USERNAME} (the password on stdin),
 * {@code del SERVICE USERNAME}, and {@code --mode creds [--output json] get SERVICE [USERNAME]},
 * the options also as {@code --mode=creds} and {@code --output=json} and, as argparse allows,
 * anywhere on the line; {@code --} ends the options. {@code --mode} and {@code --output} shape
 * {@code get} only; the other operations take them and ignore them, as keyring does. Every
 * operation needs a user name except a {@code get} in {@code creds} mode. keyring's other options
 * (backends, {@code diagnose}) choose keyring's own machinery and are refused.
 */
record KeyringCommand(Operation operation, Mode mode, Output output, KeyringService service, String username) {
    enum Operation { GET, SET, DEL }

    /** {@code password}: print the password only; {@code creds}: the user name and the password. */
    enum Mode { PASSWORD, CREDS }

    enum Output { PLAIN, JSON }

    static KeyringCommand parse(List<String> argv) throws KeyringProtocolException {
        Mode mode = Mode.PASSWORD;
        Output output = Output.PLAIN;
        List<String> positional = new ArrayList<>();
        boolean optionsEnded = false;
        for (int i = 0; i < argv.size(); i++) {
            String argument = argv.get(i);
            if (optionsEnded || !argument.startsWith("-") || argument.equals("-")) {
                positional.add(argument);
                continue;
            }
            if (argument.equals("--")) {
                optionsEnded = true;
                continue;
            }
            int equals = argument.indexOf('=');
            String name = equals > 0 && argument.startsWith("--") ? argument.substring(0, equals) : argument;
            String value = equals > 0 && argument.startsWith("--") ? argument.substring(equals + 1) : null;
            if (name.equals("--mode") || name.equals("--output")) {
                if (value == null) {
                    if (i + 1 == argv.size()) {
                        throw new KeyringProtocolException(name + " needs a value");
                    }
                    value = argv.get(++i);
                }
                if (name.equals("--mode")) {
                    mode = switch (value) {
                        case "password" -> Mode.PASSWORD;
                        case "creds" -> Mode.CREDS;
                        default -> throw new KeyringProtocolException("--mode takes password or creds");
                    };
                } else {
                    output = switch (value) {
                        case "plain" -> Output.PLAIN;
                        case "json" -> Output.JSON;
                        default -> throw new KeyringProtocolException("--output takes plain or json");
                    };
                }
            } else {
                throw new KeyringProtocolException("the option " + name + " is not taken here: latchkey's keyring"
                        + " command takes --mode and --output (and keeps credentials in latchkey's own stores)");
            }
        }
        if (positional.isEmpty()) {
            throw new KeyringProtocolException("an operation is needed: get, set or del");
        }
        Operation operation = switch (positional.get(0)) {
            case "get" -> Operation.GET;
            case "set" -> Operation.SET;
            case "del" -> Operation.DEL;
            default -> throw new KeyringProtocolException("the operation is not get, set or del");
        };
        boolean needsUsername = operation != Operation.GET || mode != Mode.CREDS;
        if (positional.size() < 2) {
            throw new KeyringProtocolException(positional.get(0) + " needs a SERVICE" + (needsUsername ? " and a USERNAME" : ""));
        }
        if (positional.size() < 3 && needsUsername) {
            throw new KeyringProtocolException(positional.get(0) + " needs a USERNAME after the SERVICE"
                    + (operation == Operation.GET ? " (or --mode creds)" : ""));
        }
        if (positional.size() > 3) {
            throw new KeyringProtocolException("there is more on the command line than OPERATION SERVICE USERNAME");
        }
        String username = positional.size() == 3 ? positional.get(2) : null;
        if (username != null && (username.isEmpty() || Utf8Input.hasControlCharacter(username))) {
            throw new KeyringProtocolException("the USERNAME is empty or holds a control character");
        }
        return new KeyringCommand(operation, mode, output, KeyringService.parse(positional.get(1)), username);
    }
}
