package dev.latchkey.daemon.service;

import dev.latchkey.daemon.config.Environment;

/**
 * What a request carries down besides itself, passed to the service rather than smuggled: who
 * asks (for the audit log), the one store its arguments name (or null), and the environment of the
 * process that asked, in whose working directory and variables a registry's name is looked up.
 */
public record RequestContext(Caller caller, String onlyStore, Environment callerEnvironment) {
}
