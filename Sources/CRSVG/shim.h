// librsvg (SVG parsing and drawing) and cairo (its PDF and image surfaces), for CohortRender.
#include <librsvg/rsvg.h>
#include <cairo.h>
#include <cairo-pdf.h>
