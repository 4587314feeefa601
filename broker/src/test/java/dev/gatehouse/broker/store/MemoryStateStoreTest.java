package dev.gatehouse.broker.store;

/** The store contract for the heap store: a "restart" loads the same instance again. */
class MemoryStateStoreTest extends StateStoreContract {
    @Override
    protected StateStore openNew() {
        return new MemoryStateStore();
    }

    @Override
    protected StateStore reopen(StateStore s) {
        return s;
    }
}
