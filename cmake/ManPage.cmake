# Writes OUT, the gzipped man page of one blt binary, from the text its
# --help prints (and, for each subcommand in SUBS, `BIN SUB --help`), so the
# page cannot drift from the program. Run at build time:
#   cmake -DBIN=path -DNAME=blt-fake -DSUMMARY="..." -DVERSION=0.1.0
#         [-DSUBS="record;replay"] [-DSEE="blt-proxy;blt-conform"]
#         -DOUT=blt-fake.1.gz -P cmake/ManPage.cmake
# The help text goes in verbatim (.nf), with roff's special characters
# escaped.

# A sanitizer build's binaries run here too; a leak report at exit must not
# fail the build.
set(ENV{ASAN_OPTIONS} "detect_leaks=0")

# The --help text of BIN with the extra arguments in ARGN, in var.
function(help_text var)
  execute_process(COMMAND ${BIN} ${ARGN} --help
    OUTPUT_VARIABLE text ERROR_VARIABLE errors RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR text STREQUAL "")
    message(FATAL_ERROR "${NAME} ${ARGN} --help exited ${rc}: ${errors}")
  endif()
  set(${var} "${text}" PARENT_SCOPE)
endfunction()

# text as roff, verbatim: backslashes written \e, hyphens \-, and a line
# that starts with . or ' protected by \&.
function(roff_verbatim var text)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${var} ".nf\n${text}.fi\n" PARENT_SCOPE)
endfunction()

string(TOUPPER "${NAME}" upper)
help_text(main)
roff_verbatim(body "${main}")
string(REPLACE "-" "\\-" name_roff "${NAME}")
set(page ".\\\" Generated from ${NAME} --help by cmake/ManPage.cmake.\n")
string(APPEND page ".TH ${upper} 1 \"\" \"blt ${VERSION}\" \"User Commands\"\n")
string(APPEND page ".SH NAME\n${name_roff} \\- ${SUMMARY}\n")
string(APPEND page ".SH DESCRIPTION\n${body}")
foreach(sub ${SUBS})
  help_text(text ${sub})
  roff_verbatim(body "${text}")
  string(TOUPPER "${NAME} ${sub}" heading)
  string(REPLACE "-" "\\-" heading "${heading}")
  string(APPEND page ".SH \"${heading}\"\n${body}")
endforeach()
string(APPEND page ".SH FILES\n.TP\n/usr/share/blt/\n")
string(APPEND page "the JSON Schemas and the shipped cassettes\n.TP\n")
string(APPEND page "/usr/share/doc/blt/\nthe guides and references\n")
if(SEE)
  set(refs "")
  foreach(s ${SEE})
    string(REPLACE "-" "\\-" s "${s}")
    list(APPEND refs "\\fB${s}\\fR(1)")
  endforeach()
  list(JOIN refs ", " refs)
  string(APPEND page ".SH SEE ALSO\n${refs}\n")
endif()

# Written through a temporary file, then compressed the way Debian wants
# man pages (gzip -9n: no name, no time stamp, so the bytes reproduce).
file(WRITE ${OUT}.tmp "${page}")
execute_process(COMMAND gzip -9nc ${OUT}.tmp
  OUTPUT_FILE ${OUT}.gztmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip failed on ${OUT}.tmp")
endif()
file(REMOVE ${OUT}.tmp)
file(RENAME ${OUT}.gztmp ${OUT})
