package dev.gatehouse.authn.spi.acl;

/** Whether a matching rule allows or denies. */
public enum Effect {
    ALLOW,
    DENY
}
