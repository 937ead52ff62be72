/* `skiff image ...`: the image commands. */
#ifndef IMG_CLI_H
#define IMG_CLI_H

/* argv[0] is "image". Returns the process exit code (0, or 1 on error with
 * a kubectl-style "error: ..." line on stderr). Blocks: network, disk. */
int skiff_images_cli(int argc, char **argv);

#endif
