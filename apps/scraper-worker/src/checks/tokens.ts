export const PAGE_CHECKER = Symbol('PAGE_CHECKER');
export const BROWSER_POOL = Symbol('BROWSER_POOL');
export const HTTP_FETCHER = Symbol('HTTP_FETCHER');
export const EGRESS_GUARD = Symbol('EGRESS_GUARD');
