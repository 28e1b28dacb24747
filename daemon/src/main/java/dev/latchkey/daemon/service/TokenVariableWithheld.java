package dev.latchkey.daemon.service;

/**
 * A request whose answer depends on a token variable that the asking process holds and this one
 * cannot read: the daemon, serving a relayed invocation, knows only that the variable is set. The
 * front door leaves the invocation to the caller's own process, which reads it. Never thrown
 * where a process serves itself. Unchecked, since only the doors that relay invocations can get it
 * and each turns it into a hand-back; the message names the variable, never a value.
 */
public final class TokenVariableWithheld extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TokenVariableWithheld(String why) {
        super(why, null, false, false);
    }
}
