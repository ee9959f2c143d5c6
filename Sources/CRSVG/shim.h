// librsvg (SVG parsing and drawing), cairo (its PDF and image surfaces) and fontconfig (the one
// font folder the figures are drawn with), for CohortRender.
#include <librsvg/rsvg.h>
#include <cairo.h>
#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
