// librsvg (SVG parsing and drawing), cairo (its PDF and image surfaces) and zlib (the PNG's
// compressed image data), for CohortRender.
#include <librsvg/rsvg.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <zlib.h>
