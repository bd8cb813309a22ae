/* The two modes of blt-proxy, each with its own command line. */
#ifndef BLT_PROXY_H
#define BLT_PROXY_H

/* blt-proxy record ...: argv[0] is "record". Returns the exit status. */
int record_main(int argc, char **argv);

/* blt-proxy replay ...: argv[0] is "replay". Returns the exit status. */
int replay_main(int argc, char **argv);

#endif
