#ifndef CSEPARATORS_H
#define CSEPARATORS_H

#include <stdint.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// The separators of the 64 bytes at `p` (all readable) as one bit mask: bit k is set when p[k]
/// is `delimiter`, a line feed or a carriage return. With SSE2 (every x86-64 processor) the 64
/// bytes are four 16-byte compares and byte masks; elsewhere a byte at a time (Swift callers use
/// their own word-at-a-time version there).
static inline uint64_t csep_mask64(const uint8_t *p, uint8_t delimiter) {
#if defined(__SSE2__)
    const __m128i d = _mm_set1_epi8((char)delimiter);
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    uint64_t bits = 0;
    for (int k = 0; k < 4; k++) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, lf)), _mm_cmpeq_epi8(v, cr));
        bits |= (uint64_t)(uint32_t)_mm_movemask_epi8(hit) << (16 * k);
    }
    return bits;
#else
    uint64_t bits = 0;
    for (int k = 0; k < 64; k++) {
        const uint8_t c = p[k];
        if (c == delimiter || c == '\n' || c == '\r') bits |= (uint64_t)1 << k;
    }
    return bits;
#endif
}

#endif
