package dev.gatehouse.store.rocksdb;

/**
 * The store cannot be opened or used; the message names the directory and what is wrong with it
 * (for an operator: "gatehouse store /var/lib/gatehouse: locked by another running process").
 */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
