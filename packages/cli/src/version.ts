/** Version of the stampede CLI. */
export const VERSION = '0.1.0';
