package dev.latchkey.daemon.door.latchkey;

import dev.latchkey.daemon.door.Door;
import dev.latchkey.daemon.door.ExitCodes;
import dev.latchkey.daemon.door.HandBack;
import dev.latchkey.daemon.door.Invocation;
import dev.latchkey.daemon.door.UsageException;
import dev.latchkey.protocol.Dialect;

import java.io.IOException;

/** {@code latchkey stdio}: the latchkey protocol (docs/protocol.md) on stdin and stdout, until stdin ends. */
public final class StdioDoor implements Door {
    @Override
    public int serve(Invocation invocation) throws HandBack, UsageException, IOException {
        invocation.arguments().end();
        ServiceHandler handler = ServiceHandler.of(invocation, Dialect.LATCHKEY);
        new ProtocolSession(Dialect.LATCHKEY, invocation.version(), handler).serve(invocation);
        return handler.sawBrokenConfig() ? ExitCodes.USAGE : ExitCodes.OK;
    }
}
