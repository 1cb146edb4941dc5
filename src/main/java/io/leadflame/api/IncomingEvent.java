package io.leadflame.api;

import io.leadflame.scoring.ContactEvent;

/** An event as received: the contact it is for, and what happened. */
public record IncomingEvent(String contactId, ContactEvent event) {
}
