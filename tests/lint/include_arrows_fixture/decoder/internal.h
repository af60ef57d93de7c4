/* a decoder-internal header */
