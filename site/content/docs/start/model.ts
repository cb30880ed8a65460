// The tutorial model for the examples of this folder's pages, imported as a reader would import their own './model.ts'.
export * from '../../../../fixtures/symmetric-cryptography/model.ts'
