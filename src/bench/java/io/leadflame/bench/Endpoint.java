package io.leadflame.bench;

/** Where a server under test listens. */
record Endpoint(String host, int port) {
}
