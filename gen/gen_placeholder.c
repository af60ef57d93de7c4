typedef int etwhf_gen_placeholder;
