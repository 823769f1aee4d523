#ifndef PGASSIST_CATOMICS_SHIM_H
#define PGASSIST_CATOMICS_SHIM_H
#include <stdbool.h>
#include <stdint.h>

// C11-style atomics on plain 64-bit words, for counters in memory that several processes map
// (MAP_SHARED): Swift's `Atomic` must own its storage, so it cannot live in an mmap'ed file.
// Every word must be 8-byte aligned; on x86_64 and arm64 these are lock-free, hence safe across
// processes.

static inline uint64_t CAtomics_load(const uint64_t *word) {
    return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

static inline void CAtomics_store(uint64_t *word, uint64_t value) {
    __atomic_store_n(word, value, __ATOMIC_RELEASE);
}

// Counters need no ordering with other memory: relaxed is enough and the cheapest.
static inline uint64_t CAtomics_add(uint64_t *word, uint64_t amount) {
    return __atomic_fetch_add(word, amount, __ATOMIC_RELAXED);
}

static inline uint64_t CAtomics_exchange(uint64_t *word, uint64_t value) {
    return __atomic_exchange_n(word, value, __ATOMIC_ACQ_REL);
}

// Stores `desired` when the word holds `expected`; returns whether it did.
static inline bool CAtomics_compareExchange(uint64_t *word, uint64_t expected, uint64_t desired) {
    return __atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
#endif
