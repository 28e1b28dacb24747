package dev.latchkey.daemon.door.cargo;

import dev.latchkey.daemon.door.Door;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.daemon.door.latchkey.ProtocolSession;
import dev.latchkey.daemon.door.latchkey.ServiceHandler;
import dev.latchkey.protocol.Dialect;

import java.io.IOException;

/**
 * {@code latchkey --cargo-plugin}: cargo's credential-provider protocol (docs/protocol.md) on
 * stdin and stdout. cargo starts it for every request and passes
 * only that flag; options written after the program in {@code credential-provider} arrive in each
 * request's {@code args}. It exits 0 when cargo closes stdin, or 2 when a request found the config
 * file broken.
 */
public final class CargoDoor implements Door {
    @Override
    public int serve(Invocation invocation) throws HandBack, UsageException, IOException {
        invocation.arguments().end();
        ServiceHandler handler = ServiceHandler.of(invocation, Dialect.CARGO);
        new ProtocolSession(Dialect.CARGO, invocation.version(), handler).serve(invocation);
        return handler.sawBrokenConfig() ? ExitCodes.USAGE : ExitCodes.OK;
    }
}
