/** The key of the product-information page's content in page_contents. */
export const PRODUCT_INFO_KEY = 'product-information';
